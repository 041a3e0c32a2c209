using System.Diagnostics;
using System.Threading.Channels;

namespace Distributed.InferenceWorker.Generation;

/// <summary>A tokenized request waiting for, or holding, a sequence slot; its updates flow through <see cref="Updates"/>.</summary>
public sealed class GenerationJob
{
    private readonly Channel<GenerationUpdate> _updates = Channel.CreateUnbounded<GenerationUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public GenerationJob(int[] promptTokens, SamplingSettings sampling, int maxTokens, IReadOnlyList<string> stop, string? cacheKey, CancellationToken cancellationToken)
    {
        PromptTokens = promptTokens;
        Sampling = sampling;
        MaxTokens = maxTokens;
        Stop = stop;
        CacheKey = string.IsNullOrEmpty(cacheKey) ? null : cacheKey;
        CancellationToken = cancellationToken;
    }

    public int[] PromptTokens { get; }

    public SamplingSettings Sampling { get; }

    public int MaxTokens { get; }

    public IReadOnlyList<string> Stop { get; }

    public string? CacheKey { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>The rendered chat prompt the tokens came from (null for raw prompts): the next turn's continuation checks against it.</summary>
    public string? PromptText { get; init; }

    /// <summary>Whether the prompt was rendered by a chat template (its special tokens are parsed when text is tokenized).</summary>
    public bool Templated { get; init; }

    /// <summary>How the prompt was fitted into the window (fit_context), or null.</summary>
    public FittedPrompt? Fit { get; init; }

    /// <summary>Generated tokens before the caller shows anything (first_visible_tokens, 1 to 4); until then no other prompt shares a step.</summary>
    public int FirstVisibleTokens { get; init; } = 1;

    /// <summary>Chat messages the request sent (for the fit report).</summary>
    public int MessagesSent { get; init; }

    public long EnqueuedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>Wakes the decode loop when the caller cancels; disposed when the job ends.</summary>
    internal CancellationTokenRegistration Registration { get; set; }

    public ChannelReader<GenerationUpdate> Updates => _updates.Reader;

    internal void Write(GenerationUpdate update) => _updates.Writer.TryWrite(update);

    internal void Complete(Exception? error = null)
    {
        Registration.Dispose();
        _updates.Writer.TryComplete(error);
    }
}
