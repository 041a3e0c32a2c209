namespace Distributed.Bench.Chat;

/// <summary>
/// One measured turn: <see cref="Conversation"/> and <see cref="Turn"/> are 1-based; <see cref="StartMs"/> is the
/// offset of the request from the start of the measured run.
/// </summary>
public sealed record ChatTurnResult(int Conversation, int Turn, int PromptTokens, int CompletionTokens, int CachedTokens,
    string FinishReason, double StartMs, double TtftMs, double TotalMs, double? ServerQueuedMs = null, double? ServerPrefillMs = null);
