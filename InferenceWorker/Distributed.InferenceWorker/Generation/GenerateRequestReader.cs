using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Services;
using Distributed.InferenceWorker.Models;

namespace Distributed.InferenceWorker.Generation;

/// <summary>Validates a GenerateRequest and turns it into a tokenized job for a loaded model.</summary>
public static class GenerateRequestReader
{
    public const int MaxStopStrings = 16;
    public const int MaxStopLength = 256;
    private static readonly string[] Roles = ["system", "user", "assistant"];

    public static GenerationJob CreateJob(GenerateRequest request, LoadedModel model, int defaultMaxTokens, CancellationToken cancellationToken)
    {
        var sampling = request.Sampling ?? new SamplingParams();
        var settings = ReadSampling(sampling);
        if (sampling.MaxTokens < 0)
        {
            throw Invalid($"max_tokens must be 0 (default) or positive, not {sampling.MaxTokens}.");
        }

        if (sampling.Stop.Count > MaxStopStrings || sampling.Stop.Any(s => s.Length is 0 or > MaxStopLength))
        {
            throw Invalid($"stop takes at most {MaxStopStrings} non-empty strings of at most {MaxStopLength} characters.");
        }

        var maxTokens = sampling.MaxTokens > 0 ? sampling.MaxTokens : defaultMaxTokens;
        var cacheKey = string.IsNullOrEmpty(request.CacheKey) ? null : request.CacheKey;
        switch (request.InputCase)
        {
            case GenerateRequest.InputOneofCase.Prompt when request.Prompt.Length > 0:
                var tokens = model.Engine.Vocabulary.Tokenize(request.Prompt, addSpecial: true, parseSpecial: false);
                return new GenerationJob(tokens, settings, maxTokens, [.. sampling.Stop], cacheKey, cancellationToken)
                {
                    FirstVisibleTokens = FirstVisible(request),
                };
            case GenerateRequest.InputOneofCase.Chat when request.Chat.Messages.Count > 0:
                return ChatJob(request, model, settings, maxTokens, cacheKey, cancellationToken);
            default:
                throw Invalid("The request needs a non-empty prompt or at least one chat message.");
        }
    }

    public static SamplingSettings ReadSampling(SamplingParams p)
    {
        var defaults = new SamplingSettings();
        var settings = defaults with
        {
            Temperature = p.HasTemperature ? p.Temperature : defaults.Temperature,
            TopP = p.HasTopP ? p.TopP : defaults.TopP,
            TopK = p.HasTopK ? p.TopK : defaults.TopK,
            MinP = p.HasMinP ? p.MinP : defaults.MinP,
            RepeatPenalty = p.HasRepeatPenalty ? p.RepeatPenalty : defaults.RepeatPenalty,
            Seed = p.HasSeed ? p.Seed : null,
        };
        Check(settings.Temperature is >= 0f and <= 5f, "temperature must be between 0 and 5.");
        Check(settings.TopP is > 0f and <= 1f, "top_p must be in (0, 1].");
        Check(settings.TopK >= 0, "top_k must be 0 (off) or positive.");
        Check(settings.MinP is >= 0f and <= 1f, "min_p must be between 0 and 1.");
        Check(settings.RepeatPenalty is > 0f and <= 5f, "repeat_penalty must be in (0, 5].");
        return settings;
    }

    /// <summary>
    /// A chat prompt: rendered with the model's template, tokenized as a continuation of the conversation's last
    /// turn when it still says the same (<see cref="PromptContinuation"/>), and with fit_context fitted to the window.
    /// </summary>
    private static GenerationJob ChatJob(
        GenerateRequest request, LoadedModel model, SamplingSettings settings, int maxTokens, string? cacheKey, CancellationToken cancellationToken)
    {
        var turns = request.Chat.Messages.Select(m =>
        {
            var role = m.Role.ToLowerInvariant();
            Check(Roles.Contains(role), $"Unknown chat role '{m.Role}' (use system, user or assistant).");
            return new ChatTurn(role, m.Content);
        }).ToArray();
        var engine = model.Engine;
        var last = engine.Transcripts.Find(cacheKey);
        var rendered = new Dictionary<int, RenderedPrompt>();
        RenderedPrompt Render(IReadOnlyList<ChatTurn> messages)
        {
            if (!rendered.TryGetValue(messages.Count, out var prompt))
            {
                prompt = RenderedPrompt.Create(model.ChatTemplate, engine.Vocabulary, messages, last);
                rendered[messages.Count] = prompt;
            }

            return prompt;
        }

        FittedPrompt? fit = null;
        var chosen = turns;
        if (request.FitContext)
        {
            Check(request.HistoryOffset >= 0, "history_offset must not be negative.");
            var room = engine.ContextLength - Math.Min(maxTokens, engine.ContextLength / 2);
            fit = ContextFitter.Fit(turns, request.HistoryOffset, last?.FirstKept, room, messages => Render(messages).Tokens);
            chosen = [.. fit.Messages];
        }

        var final = Render(chosen);
        return new GenerationJob(final.Tokens, settings, maxTokens, [.. request.Sampling?.Stop ?? []], cacheKey, cancellationToken)
        {
            PromptText = cacheKey is null ? null : final.Text,
            Templated = final.Templated,
            Fit = fit,
            MessagesSent = turns.Length,
            FirstVisibleTokens = FirstVisible(request),
        };
    }

    /// <summary>first_visible_tokens, 0 read as 1 and capped at 4 so that one request cannot stall others' prefill.</summary>
    private static int FirstVisible(GenerateRequest request) => (int)Math.Clamp(request.FirstVisibleTokens, 1u, 4u);

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw Invalid(message);
        }
    }

    private static WorkerException Invalid(string message) => WorkerException.Invalid(message);
}
