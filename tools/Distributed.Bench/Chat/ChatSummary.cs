namespace Distributed.Bench.Chat;

/// <summary>A run's headline figures: wall time, aggregate throughput, all turns together and each turn index.</summary>
public sealed record ChatSummary(double WallMs, double AggregateTokensPerSecond, ChatTurnSummary Overall, IReadOnlyList<ChatTurnSummary> ByTurn)
{
    public static ChatSummary Of(IReadOnlyList<ChatTurnResult> turns, double wallMs)
    {
        var reuse = ChatStatistics.ReuseByTurn(turns);
        var overall = ChatTurnSummary.Of(0, turns, reuse.Select(r => r.Reuse));
        var byTurn = turns.GroupBy(t => t.Turn).OrderBy(g => g.Key)
            .Select(g => ChatTurnSummary.Of(g.Key, g.ToArray(), reuse.Where(r => r.Turn == g.Key).Select(r => r.Reuse)))
            .ToArray();
        return new ChatSummary(wallMs, ChatStatistics.TokensPerSecond(overall.CompletionTokens, wallMs), overall, byTurn);
    }
}
