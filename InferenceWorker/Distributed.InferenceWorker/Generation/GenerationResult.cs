namespace Distributed.InferenceWorker.Generation;

/// <summary>How a generation ended, with usage and timings.</summary>
public sealed record GenerationResult(
    FinishReason FinishReason,
    int PromptTokens,
    int CompletionTokens,
    int CachedTokens,
    double QueuedMs,
    double PrefillMs,
    double PrefillTokensPerSecond,
    double DecodeTokensPerSecond,
    double TotalMs);
