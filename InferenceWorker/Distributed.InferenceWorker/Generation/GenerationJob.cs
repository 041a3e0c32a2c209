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
