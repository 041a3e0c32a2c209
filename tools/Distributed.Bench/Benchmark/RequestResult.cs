namespace Distributed.Bench.Benchmark;

/// <summary>One generation as the client saw it, with the server's own usage and timings.</summary>
public sealed record RequestResult(
    int PromptTokens,
    int CompletionTokens,
    int CachedTokens,
    string FinishReason,
    double TtftMs,
    double TotalMs,
    double ClientDecodeTokensPerSecond,
    double ServerQueuedMs,
    double ServerPrefillMs,
    double ServerPrefillTokensPerSecond,
    double ServerDecodeTokensPerSecond,
    double ServerTotalMs)
{
    /// <summary>Derives the client's decode rate: the tokens after the first, over the time after the first delta.</summary>
    public static RequestResult Create(int promptTokens, int completionTokens, int cachedTokens, string finishReason, double ttftMs,
        double totalMs, double serverQueuedMs, double serverPrefillMs, double serverPrefillTokensPerSecond,
        double serverDecodeTokensPerSecond, double serverTotalMs)
    {
        var decodeSeconds = (totalMs - ttftMs) / 1000.0;
        var clientDecode = completionTokens > 1 && decodeSeconds > 0 ? (completionTokens - 1) / decodeSeconds : 0;
        return new RequestResult(promptTokens, completionTokens, cachedTokens, finishReason, ttftMs, totalMs, clientDecode,
            serverQueuedMs, serverPrefillMs, serverPrefillTokensPerSecond, serverDecodeTokensPerSecond, serverTotalMs);
    }
}
