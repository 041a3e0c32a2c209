using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Distributed.Bench.Benchmark;

/// <summary>
/// <c>compare</c>: pools the JSON results of several <c>run</c>s per side (e.g. interleaved rounds of a worker and of
/// llama-server) and prints each side's medians with the candidate/baseline ratio. Only client-side figures are
/// compared, since the same client measured both sides.
/// </summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var baseline = new Option<string[]>("--baseline") { Description = "JSON results of the baseline (e.g. llama-server).", Required = true, AllowMultipleArgumentsPerToken = true };
        var candidate = new Option<string[]>("--candidate") { Description = "JSON results of the candidate (e.g. the worker).", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("compare", "Compare pooled benchmark results of two servers (medians and ratios).") { baseline, candidate };
        command.SetAction(parseResult =>
        {
            try
            {
                Print(Load(parseResult.GetValue(baseline)!), Load(parseResult.GetValue(candidate)!), Console.Out);
                return 0;
            }
            catch (Exception exception) when (exception is IOException or JsonException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {exception.Message}");
                return 1;
            }
        });
        return command;
    }

    public static IReadOnlyList<BenchmarkResults> Load(IEnumerable<string> paths) =>
        paths.Select(path => JsonSerializer.Deserialize<BenchmarkResults>(File.ReadAllText(path))
                             ?? throw new JsonException($"{path}: not a benchmark result"))
            .ToArray();

    public static void Print(IReadOnlyList<BenchmarkResults> baseline, IReadOnlyList<BenchmarkResults> candidate, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"baseline:  {Describe(baseline)}"));
        output.WriteLine(string.Create(c, $"candidate: {Describe(candidate)}"));
        output.WriteLine("figures are medians over all pooled requests (or batches); ratio = candidate / baseline");
        output.WriteLine();

        var rows = new List<string[]> { new[] { "measurement (client side)", "baseline", "candidate", "ratio", "samples" } };
        void Row(string name, Func<BenchmarkResults, IEnumerable<double>> selector)
        {
            var b = baseline.SelectMany(selector).Where(v => v > 0 && double.IsFinite(v)).ToArray();
            var a = candidate.SelectMany(selector).Where(v => v > 0 && double.IsFinite(v)).ToArray();
            if (b.Length == 0 || a.Length == 0)
            {
                return;
            }

            var mb = InferenceBenchmark.Median(b);
            var ma = InferenceBenchmark.Median(a);
            rows.Add([name, mb.ToString("F1", c), ma.ToString("F1", c), (ma / mb).ToString("F2", c), string.Create(c, $"{b.Length} / {a.Length}")]);
        }

        Row("prefill tokens/s (prompt tokens / TTFT)", r => r.Prefill.Select(x => x.PromptTokens / (x.TtftMs / 1000.0)));
        Row("time to first token, ms (lower is better)", r => r.Decode.Select(x => x.TtftMs));
        Row("decode tokens/s, 1 stream", r => r.Decode.Select(x => x.ClientDecodeTokensPerSecond));
        Row("end-to-end tokens/s, 1 stream (completion / total)", r => r.Decode.Select(x => x.CompletionTokens / (x.TotalMs / 1000.0)));
        foreach (var level in baseline.Concat(candidate).SelectMany(r => r.Concurrency).Select(run => run.Concurrency).Distinct().Order())
        {
            Row(string.Create(c, $"aggregate tokens/s, {level} streams"),
                r => r.Concurrency.Where(run => run.Concurrency == level).Select(run => run.AggregateTokensPerSecond));
        }

        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            output.WriteLine(string.Join("  ", rows[i].Select((cell, j) => j == 0 ? cell.PadRight(widths[j]) : cell.PadLeft(widths[j]))).TrimEnd());
            if (i == 0)
            {
                output.WriteLine(string.Join("  ", widths.Select(width => new string('-', width))));
            }
        }
    }

    private static string Describe(IReadOnlyList<BenchmarkResults> results) =>
        results.Count == 0
            ? "(none)"
            : string.Create(CultureInfo.InvariantCulture,
                $"{results[0].Worker.WorkerId} {results[0].Worker.Model} ({results.Count} run(s), prompt ~{results[0].MeasuredPromptTokens}, gen {results[0].Options.GenTokens})");
}
