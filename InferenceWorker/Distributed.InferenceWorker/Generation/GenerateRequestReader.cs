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

        var tokens = Tokenize(request, model);
        var maxTokens = sampling.MaxTokens > 0 ? sampling.MaxTokens : defaultMaxTokens;
        return new GenerationJob(tokens, settings, maxTokens, [.. sampling.Stop], request.CacheKey, cancellationToken);
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

    private static int[] Tokenize(GenerateRequest request, LoadedModel model)
    {
        var vocabulary = model.Engine.Vocabulary;
        switch (request.InputCase)
        {
            case GenerateRequest.InputOneofCase.Prompt when request.Prompt.Length > 0:
                return vocabulary.Tokenize(request.Prompt, addSpecial: true, parseSpecial: false);
            case GenerateRequest.InputOneofCase.Chat when request.Chat.Messages.Count > 0:
                var turns = request.Chat.Messages.Select(m =>
                {
                    var role = m.Role.ToLowerInvariant();
                    Check(Roles.Contains(role), $"Unknown chat role '{m.Role}' (use system, user or assistant).");
                    return new ChatTurn(role, m.Content);
                }).ToArray();
                var (prompt, templated) = PromptFormatter.Format(model.ChatTemplate, turns);
                var tokens = vocabulary.Tokenize(prompt, addSpecial: true, parseSpecial: templated);
                // Templates that write BOS themselves would get a second one from add_special.
                return tokens.Length > 1 && tokens[0] == vocabulary.Bos && tokens[1] == vocabulary.Bos ? tokens[1..] : tokens;
            default:
                throw Invalid("The request needs a non-empty prompt or at least one chat message.");
        }
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw Invalid(message);
        }
    }

    private static WorkerException Invalid(string message) => WorkerException.Invalid(message);
}
