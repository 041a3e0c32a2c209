namespace Distributed.Bench.Chat;

/// <summary>
/// One answered turn as a target returns it: the text, the server's usage and the client's timings, and where the
/// server reports them (the worker's <c>Timings</c>) its own queue and prefill times.
/// </summary>
public sealed record ChatReply(string Text, int PromptTokens, int CompletionTokens, int CachedTokens, string FinishReason,
    double TtftMs, double TotalMs, double? ServerQueuedMs = null, double? ServerPrefillMs = null);
