namespace Distributed.Bench.Chat;

/// <summary>A figure <c>chat-compare</c> takes from every run (one value per JSON file) and compares by its median.</summary>
public sealed record ChatMetric(string Name, bool HigherIsBetter, Func<ChatResults, double> Of)
{
    public static IReadOnlyList<ChatMetric> All { get; } =
    [
        new("aggregate tokens/s", true, r => r.Summary.AggregateTokensPerSecond),
        new("wall time, s", false, r => r.Summary.WallMs / 1000.0),
        new("TTFT p50, ms", false, r => r.Summary.Overall.TtftP50Ms),
        new("TTFT p95, ms", false, r => r.Summary.Overall.TtftP95Ms),
        new("TTFT p50 at the last turn, ms", false, r => LastTurn(r)?.TtftP50Ms ?? double.NaN),
        new("time per turn p50, ms", false, r => r.Summary.Overall.TurnP50Ms),
        new("previous turn found in cache (mean)", true, r => r.Summary.Overall.ReuseMean),
        new("recomputed fraction of prompt tokens", false, r => r.Summary.Overall.RecomputedFraction),
    ];

    private static ChatTurnSummary? LastTurn(ChatResults results) => results.Summary.ByTurn.MaxBy(t => t.Turn);
}
