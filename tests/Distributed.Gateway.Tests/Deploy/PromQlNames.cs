using System.Text.RegularExpressions;

namespace Distributed.Gateway.Tests.Deploy;

/// <summary>
/// The metric and label names a PromQL expression refers to, found lexically (no full parser): strings, label
/// matchers, ranges, groupings and template variables (Grafana <c>$x</c>, Prometheus Adapter <c>&lt;&lt;.X&gt;&gt;</c>)
/// are cut out first, and a name followed by <c>(</c> is a function or aggregation, not a metric.
/// </summary>
public static partial class PromQlNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
    };

    public static IReadOnlySet<string> Metrics(string expr)
    {
        var s = Strings().Replace(Templates().Replace(expr, " "), " ");
        s = Groupings().Replace(Ranges().Replace(Matchers().Replace(s, " "), " "), " ");
        return Identifiers().Matches(s).Select(m => m.Value).Where(n => !Keywords.Contains(n)).ToHashSet(StringComparer.Ordinal);
    }

    public static IReadOnlySet<string> Labels(string expr)
    {
        var s = Strings().Replace(Templates().Replace(expr, " "), "\"\"");
        var inMatchers = Matchers().Matches(s).SelectMany(m => MatcherLabels().Matches(m.Value)).Select(m => m.Groups[1].Value);
        var inGroupings = Groupings().Matches(s).SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return inMatchers.Concat(inGroupings).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"\$\{[^}]*\}|\$\w+|<<[^>]*>>")]
    private static partial Regex Templates();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")]
    private static partial Regex Groupings();

    // Atomic, so "rate(" cannot backtrack to the metric-looking "rat".
    [GeneratedRegex(@"(?<![\w.:])(?>[a-zA-Z_:][\w:]*)(?!\s*\()")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)")]
    private static partial Regex MatcherLabels();
}
