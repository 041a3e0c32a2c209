using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Distributed.Bench.Chat;

/// <summary>
/// <c>chat-compare</c>: several <c>chat --json</c> results per side (e.g. interleaved rounds); for each figure, the
/// median over each side's runs and the candidate/baseline ratio.
/// </summary>
internal static class ChatCompareCommand
{
    public static Command Create()
    {
        var baseline = new Option<string[]>("--baseline") { Description = "chat JSON results of the baseline (e.g. llama-server).", Required = true, AllowMultipleArgumentsPerToken = true };
        var candidate = new Option<string[]>("--candidate") { Description = "chat JSON results of the candidate (e.g. the gateway).", Required = true, AllowMultipleArgumentsPerToken = true };
        var command = new Command("chat-compare", "Compare pooled chat benchmark results of two servers (medians over runs and ratios).") { baseline, candidate };
        command.SetAction(parseResult =>
        {
            try
            {
                Print(parseResult.GetValue(baseline)!.Select(ChatJson.Read).ToArray(), parseResult.GetValue(candidate)!.Select(ChatJson.Read).ToArray(), Console.Out);
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

    public static void Print(IReadOnlyList<ChatResults> baseline, IReadOnlyList<ChatResults> candidate, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine($"baseline:  {Describe(baseline)}");
        output.WriteLine($"candidate: {Describe(candidate)}");
        output.WriteLine("figures are medians over runs (one value per JSON file); ratio = candidate / baseline");
        output.WriteLine();
        var rows = new List<string[]> { new[] { "measurement (client side)", "baseline", "candidate", "ratio", "better", "runs" } };
        foreach (var metric in ChatMetric.All)
        {
            var b = ChatStatistics.Median(baseline.Select(metric.Of));
            var a = ChatStatistics.Median(candidate.Select(metric.Of));
            var ratio = double.IsFinite(a) && double.IsFinite(b) && b != 0 ? (a / b).ToString("F2", c) : "-";
            rows.Add([metric.Name, Format(b), Format(a), ratio, metric.HigherIsBetter ? "higher" : "lower",
                string.Create(c, $"{baseline.Count} / {candidate.Count}")]);
        }

        TextTable.Write(rows, output);
    }

    private static string Format(double value) =>
        !double.IsFinite(value) ? "-" : Math.Abs(value) < 10 ? value.ToString("F3", CultureInfo.InvariantCulture) : value.ToString("F1", CultureInfo.InvariantCulture);

    private static string Describe(IReadOnlyList<ChatResults> results)
    {
        if (results.Count == 0)
        {
            return "(none)";
        }

        var o = results[0].Options;
        return string.Create(CultureInfo.InvariantCulture,
            $"{(o.Label.Length > 0 ? o.Label + ": " : "")}{o.Target} {o.Address} ({results.Count} run(s), {o.Conversations} x {o.Turns} turns, C {o.Concurrency}, {ChatReport.ModeName(o.Mode)}, W {o.Words}, G {o.GenTokens})");
    }
}
