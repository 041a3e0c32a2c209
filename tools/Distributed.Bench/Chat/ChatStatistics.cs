namespace Distributed.Bench.Chat;

/// <summary>The chat benchmark's statistics, as small pure functions over measured turns.</summary>
public static class ChatStatistics
{
    /// <summary>
    /// The <paramref name="quantile"/> (0..1) of <paramref name="values"/>, interpolating linearly between the closest
    /// ranks (numpy's default); NaN when there are no values.
    /// </summary>
    public static double Percentile(IEnumerable<double> values, double quantile)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var position = Math.Clamp(quantile, 0, 1) * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    public static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }

    /// <summary>
    /// How much of the previous turn (its prompt plus its answer) the next turn found in cache:
    /// cached(t) / (prompt(t-1) + completion(t-1)), capped at 1; NaN when the previous turn had no tokens.
    /// </summary>
    public static double Reuse(int previousPromptTokens, int previousCompletionTokens, int cachedTokens)
    {
        var previous = previousPromptTokens + previousCompletionTokens;
        return previous <= 0 ? double.NaN : Math.Min(1.0, Math.Max(0, cachedTokens) / (double)previous);
    }

    /// <summary>The reuse of every turn t ≥ 2 whose turn t-1 was measured too, by conversation and turn.</summary>
    public static IReadOnlyList<(int Conversation, int Turn, double Reuse)> ReuseByTurn(IEnumerable<ChatTurnResult> turns)
    {
        var result = new List<(int, int, double)>();
        foreach (var conversation in turns.GroupBy(t => t.Conversation))
        {
            var byTurn = conversation.ToDictionary(t => t.Turn);
            foreach (var turn in byTurn.Values.OrderBy(t => t.Turn))
            {
                if (turn.Turn >= 2 && byTurn.TryGetValue(turn.Turn - 1, out var previous))
                {
                    result.Add((turn.Conversation, turn.Turn, Reuse(previous.PromptTokens, previous.CompletionTokens, turn.CachedTokens)));
                }
            }
        }

        return result;
    }

    /// <summary>The fraction of prompt tokens the server computed rather than took from a cache: Σ(prompt − cached) / Σ prompt.</summary>
    public static double RecomputedFraction(IEnumerable<ChatTurnResult> turns)
    {
        long prompt = 0, cached = 0;
        foreach (var turn in turns)
        {
            prompt += turn.PromptTokens;
            cached += Math.Min(turn.CachedTokens, turn.PromptTokens);
        }

        return prompt == 0 ? double.NaN : (prompt - cached) / (double)prompt;
    }

    /// <summary>Completion tokens per second of wall time.</summary>
    public static double TokensPerSecond(long completionTokens, double wallMs) =>
        wallMs <= 0 ? double.NaN : completionTokens / (wallMs / 1000.0);

    /// <summary>From the first request's start to the last one's end, ms (0 for no turns).</summary>
    public static double Span(IReadOnlyCollection<ChatTurnResult> turns) =>
        turns.Count == 0 ? 0 : turns.Max(t => t.StartMs + t.TotalMs) - turns.Min(t => t.StartMs);

    /// <summary>"Length x12, Stop x3": the finish reasons by frequency.</summary>
    public static string FinishReasons(IEnumerable<ChatTurnResult> turns) =>
        string.Join(", ", turns.GroupBy(t => t.FinishReason).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}"));
}
