namespace Distributed.Bench.Chat;

/// <summary>One answered turn as a target returns it: the text, the server's usage and the client's timings.</summary>
public sealed record ChatReply(string Text, int PromptTokens, int CompletionTokens, int CachedTokens, string FinishReason,
    double TtftMs, double TotalMs);
