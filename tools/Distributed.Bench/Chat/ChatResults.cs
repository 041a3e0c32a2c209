namespace Distributed.Bench.Chat;

/// <summary>What <c>chat --json</c> writes: the workload, the server, every measured turn and the summary of them.</summary>
public sealed record ChatResults(ChatOptions Options, string Server, string RunId, DateTimeOffset Started, double WallMs,
    IReadOnlyList<ChatTurnResult> Turns, ChatSummary Summary);
