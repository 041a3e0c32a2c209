using System.Globalization;

namespace Distributed.Bench.Chat;

/// <summary>Prints a chat run: the workload, the headline figures, and a table of all turns and of each turn index.</summary>
public static class ChatReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Print(ChatResults results, TextWriter output)
    {
        var o = results.Options;
        var s = results.Summary;
        output.WriteLine();
        output.WriteLine($"server    {(o.Label.Length > 0 ? o.Label + ": " : "")}{results.Server}");
        output.WriteLine(string.Create(C,
            $"workload  {o.Conversations} conversations x {o.Turns} turns, {o.Concurrency} requests at a time, {ModeName(o.Mode)}; "
            + $"{o.Words} words per user message, max {o.GenTokens} tokens per turn, temperature 0; run {results.RunId}"));
        output.WriteLine(string.Create(C,
            $"result    wall {s.WallMs / 1000.0:F2} s, {s.Overall.CompletionTokens} completion tokens, aggregate {s.AggregateTokensPerSecond:F1} tok/s, "
            + $"TTFT p50 {s.Overall.TtftP50Ms:F0} ms / p95 {s.Overall.TtftP95Ms:F0} ms, recomputed {Percent(s.Overall.RecomputedFraction)} of prompt tokens, "
            + $"previous turn found in cache {Fraction(s.Overall.ReuseMean)} (mean) / {Fraction(s.Overall.ReuseMedian)} (median)"));
        output.WriteLine();

        var rows = new List<string[]>
        {
            new[] { "turn", "requests", "prompt tok", "cached tok", "recomputed", "reuse mean", "reuse median", "TTFT p50 ms", "TTFT p95 ms", "turn p50 ms", "turn mean ms", "span s", "srv queue p50 ms", "srv prefill p50 ms", "finish reasons" },
        };
        foreach (var turn in s.ByTurn.Prepend(s.Overall))
        {
            rows.Add(
            [
                turn.Turn == 0 ? "all" : turn.Turn.ToString(C),
                turn.Requests.ToString(C),
                turn.MeanPromptTokens.ToString("F1", C),
                turn.MeanCachedTokens.ToString("F1", C),
                Percent(turn.RecomputedFraction),
                Fraction(turn.ReuseMean),
                Fraction(turn.ReuseMedian),
                turn.TtftP50Ms.ToString("F1", C),
                turn.TtftP95Ms.ToString("F1", C),
                turn.TurnP50Ms.ToString("F1", C),
                turn.TurnMeanMs.ToString("F1", C),
                (turn.SpanMs / 1000.0).ToString("F2", C),
                Milliseconds(turn.ServerQueueP50Ms),
                Milliseconds(turn.ServerPrefillP50Ms),
                turn.FinishReasons,
            ]);
        }

        TextTable.Write(rows, output);
        output.WriteLine("prompt/cached tok: means per request; recomputed = Σ(prompt − cached) / Σ prompt; reuse (turn ≥ 2) = cached(t) / "
                         + "(prompt(t−1) + completion(t−1)), capped at 1; turn = one request's time from sending to its last token; "
                         + "span = first request's start to last request's end (interleaved: the turn's wall time); srv queue/prefill = "
                         + "the worker's own Timings (admission incl. host-cache save and restore; prefill to the first token), where reported");
    }

    public static string ModeName(ChatMode mode) => mode == ChatMode.Interleaved ? "interleaved" : "back-to-back";

    private static string Percent(double value) => double.IsFinite(value) ? (value * 100).ToString("F1", C) + "%" : "-";

    private static string Milliseconds(double value) => double.IsFinite(value) ? value.ToString("F1", C) : "-";

    private static string Fraction(double value) => double.IsFinite(value) ? value.ToString("F3", C) : "-";
}
