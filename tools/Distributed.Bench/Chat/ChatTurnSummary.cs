namespace Distributed.Bench.Chat;

/// <summary>
/// The figures of a set of turns (all of them, or one turn index): <see cref="Turn"/> is 0 for all turns. TTFT and
/// turn times are client wall clock, ms; <see cref="SpanMs"/> runs from the first request's start to the last one's end
/// (in interleaved mode, a turn index's span is that turn's wall time); reuse is NaN where no turn of the set has a
/// measured previous turn.
/// </summary>
public sealed record ChatTurnSummary(
    int Turn,
    int Requests,
    double MeanPromptTokens,
    double MeanCachedTokens,
    long CompletionTokens,
    double RecomputedFraction,
    double ReuseMean,
    double ReuseMedian,
    double TtftP50Ms,
    double TtftP95Ms,
    double TurnP50Ms,
    double TurnMeanMs,
    double SpanMs,
    string FinishReasons,
    double ServerQueueP50Ms = double.NaN,
    double ServerPrefillP50Ms = double.NaN)
{
    /// <summary>The median of a server-reported time, NaN when the server reports none.</summary>
    private static double ServerP50(IEnumerable<double?> values)
    {
        var known = values.Where(v => v.HasValue).Select(v => v!.Value).ToArray();
        return known.Length == 0 ? double.NaN : ChatStatistics.Percentile(known, 0.5);
    }

    /// <summary>Summarizes <paramref name="turns"/>; <paramref name="reuse"/> holds the reuse values of the same turns.</summary>
    public static ChatTurnSummary Of(int turn, IReadOnlyList<ChatTurnResult> turns, IEnumerable<double> reuse)
    {
        var reuseValues = reuse.ToArray();
        return new ChatTurnSummary(
            turn,
            turns.Count,
            ChatStatistics.Mean(turns.Select(t => (double)t.PromptTokens)),
            ChatStatistics.Mean(turns.Select(t => (double)t.CachedTokens)),
            turns.Sum(t => (long)t.CompletionTokens),
            ChatStatistics.RecomputedFraction(turns),
            ChatStatistics.Mean(reuseValues),
            ChatStatistics.Median(reuseValues),
            ChatStatistics.Percentile(turns.Select(t => t.TtftMs), 0.5),
            ChatStatistics.Percentile(turns.Select(t => t.TtftMs), 0.95),
            ChatStatistics.Percentile(turns.Select(t => t.TotalMs), 0.5),
            ChatStatistics.Mean(turns.Select(t => t.TotalMs)),
            ChatStatistics.Span(turns),
            ChatStatistics.FinishReasons(turns),
            ServerP50(turns.Select(t => t.ServerQueuedMs)),
            ServerP50(turns.Select(t => t.ServerPrefillMs)));
    }
}
