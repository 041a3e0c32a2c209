using System.Globalization;
using System.Text;

namespace Distributed.Testing;

/// <summary>
/// A parsed Prometheus text exposition (what a <c>/metrics</c> scrape returns): sample lines as name, labels (escapes
/// undone) and value; comments (<c># HELP</c>, <c># TYPE</c>) and timestamps are skipped. Throws on a malformed line,
/// so a test also checks that the endpoint speaks the format.
/// </summary>
public sealed class PrometheusText
{
    private PrometheusText(IReadOnlyList<PrometheusSample> samples) => Samples = samples;

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Every label value of every sample (what must never hold a secret or request text).</summary>
    public IEnumerable<string> LabelValues => Samples.SelectMany(s => s.Labels.Values);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseLine(line));
        }

        return new PrometheusText(samples);
    }

    public static async Task<PrometheusText> ScrapeAsync(HttpClient client, string path = "/metrics") =>
        Parse(await client.GetStringAsync(path));

    /// <summary>The samples of <paramref name="name"/> that carry all the given labels.</summary>
    public IEnumerable<PrometheusSample> Series(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels));

    /// <summary>The sum over the matching samples; 0 when there are none (a counter not incremented yet).</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Series(name, labels).Sum(s => s.Value);

    private static PrometheusSample ParseLine(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq].Trim();
                if (line[eq + 1] != '"')
                {
                    throw new FormatException($"Label {label} has no quoted value: {line}");
                }

                (labels[label], i) = ReadQuoted(line, eq + 2);
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        var fields = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (name.Length == 0 || fields.Length is < 1 or > 2)
        {
            throw new FormatException($"Not a sample line: {line}");
        }

        return new PrometheusSample(name, labels, ParseValue(fields[0]));
    }

    /// <summary>The value of a quoted label from <paramref name="start"/> (after the quote); returns it and the index after the closing quote.</summary>
    private static (string Value, int Next) ReadQuoted(string line, int start)
    {
        var value = new StringBuilder();
        for (var i = start; i < line.Length; i++)
        {
            switch (line[i])
            {
                case '"':
                    return (value.ToString(), i + 1);
                case '\\' when i + 1 < line.Length:
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                    break;
                default:
                    value.Append(line[i]);
                    break;
            }
        }

        throw new FormatException($"Unterminated label value: {line}");
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
