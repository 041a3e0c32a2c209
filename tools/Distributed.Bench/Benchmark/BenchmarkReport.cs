using System.Globalization;
using System.Text.Json;

namespace Distributed.Bench.Benchmark;

/// <summary>Formats benchmark results as text tables (and JSON).</summary>
public static class BenchmarkReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    public static void Print(BenchmarkResults results, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var o = results.Options;
        var w = results.Worker;
        output.WriteLine();
        output.WriteLine(string.Create(c, $"worker  {o.Worker}  id {Or(w.WorkerId)}  backend {Or(w.Backend)}  capacity {w.Capacity} sequences"));
        var loaded = w.AlreadyLoaded ? "already loaded" : string.Create(c, $"loaded in {w.LoadMs:F0} ms");
        output.WriteLine(string.Create(c,
            $"model   {w.Model}  {w.Parameters:N0} params  served context {w.ContextLength}  {loaded}  memory {w.MemoryBytes / 1048576.0:F1} MiB"));
        output.WriteLine(string.Create(c,
            $"prompt  ~{o.PromptTokens} tokens requested, {results.MeasuredPromptTokens} measured; gen {o.GenTokens}; temperature 0, seed {o.Seed}; median of {o.Repeat} run(s)"));
        output.WriteLine();

        var table = new List<string[]> { new[] { "measurement", "median", "min", "max", "finish reasons" } };
        void Row(string name, IReadOnlyList<RequestResult> source, Func<RequestResult, double> selector, string format)
        {
            var values = source.Select(selector).Where(v => v > 0 && double.IsFinite(v)).ToArray();
            table.Add(values.Length == 0
                ? [name, "n/a", "", "", FinishReasons(source)]
                : [name, InferenceBenchmark.Median(values).ToString(format, c), values.Min().ToString(format, c), values.Max().ToString(format, c), FinishReasons(source)]);
        }

        Row($"prefill tokens/s (worker, ~{results.MeasuredPromptTokens}-token prompt, max_tokens 1)", results.Prefill, r => r.ServerPrefillTokensPerSecond, "F1");
        Row("prefill tokens/s (client: prompt tokens / TTFT)", results.Prefill, r => r.PromptTokens / (r.TtftMs / 1000.0), "F1");
        Row("time to first token, ms (client wall clock)", results.Decode, r => r.TtftMs, "F1");
        Row($"decode tokens/s, 1 stream (worker, max_tokens {o.GenTokens})", results.Decode, r => r.ServerDecodeTokensPerSecond, "F1");
        Row("decode tokens/s, 1 stream (client: after first token)", results.Decode, r => r.ClientDecodeTokensPerSecond, "F1");
        Row("completion tokens per decode run", results.Decode, r => r.CompletionTokens, "F0");
        WriteTable(table, output);
        output.WriteLine();

        var concurrency = new List<string[]>
        {
            new[] { "concurrency", "requests", "wall s (median)", "completion tokens", "aggregate tok/s (median)", "min", "max", "TTFT ms (median)", "finish reasons" },
        };
        foreach (var group in results.Concurrency.GroupBy(run => run.Concurrency))
        {
            var runs = group.ToArray();
            var requests = runs.SelectMany(run => run.Requests).ToArray();
            var aggregate = runs.Select(run => run.AggregateTokensPerSecond).ToArray();
            concurrency.Add(
            [
                group.Key.ToString(c),
                $"{runs.Length} x {group.Key}",
                (InferenceBenchmark.Median(runs.Select(run => run.WallMs)) / 1000.0).ToString("F2", c),
                runs.Sum(run => run.CompletionTokens).ToString(c),
                InferenceBenchmark.Median(aggregate).ToString("F1", c),
                aggregate.Min().ToString("F1", c),
                aggregate.Max().ToString("F1", c),
                InferenceBenchmark.Median(requests.Select(r => r.TtftMs)).ToString("F1", c),
                FinishReasons(requests),
            ]);
        }

        output.WriteLine("aggregate throughput = completion tokens of all simultaneous requests / wall time of the batch");
        WriteTable(concurrency, output);
        var all = results.Prefill.Concat(results.Decode).Concat(results.Concurrency.SelectMany(run => run.Requests)).ToArray();
        var cached = all.Sum(r => r.CachedTokens);
        if (cached > 0)
        {
            output.WriteLine(string.Create(c,
                $"note: the worker reused {cached} prompt tokens from its KV cache ({(double)cached / all.Length:F1} per request; every prompt differs after its first words)"));
        }
    }

    public static void WriteJson(BenchmarkResults results, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(results, JsonOptions));
    }

    private static string Or(string value) => string.IsNullOrEmpty(value) ? "-" : value;

    private static string FinishReasons(IEnumerable<RequestResult> requests) =>
        string.Join(", ", requests.GroupBy(r => r.FinishReason).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} x{g.Count()}"));

    private static void WriteTable(List<string[]> rows, TextWriter output)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(row => row[i].Length)).ToArray();
        for (var r = 0; r < rows.Count; r++)
        {
            output.WriteLine(string.Join("  ", rows[r].Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
            if (r == 0)
            {
                output.WriteLine(string.Join("  ", widths.Select(width => new string('-', width))));
            }
        }
    }
}
