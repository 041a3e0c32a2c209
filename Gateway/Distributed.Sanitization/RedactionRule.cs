using System.Text.RegularExpressions;

namespace Distributed.Sanitization;

/// <summary>
/// One redaction detector. The replaced span is the <c>secret</c> group when the pattern has one (so "Bearer" or
/// "password=" stay readable), else the whole match. <see cref="Accept"/> returns how many chars of that span to
/// replace, 0 to reject it; null accepts the whole span.
/// </summary>
internal sealed record RedactionRule(string Kind, Regex Pattern, Func<ReadOnlySpan<char>, int>? Accept = null)
{
    public string Placeholder { get; } = "[" + Kind.ToUpperInvariant() + "]";

    public static Func<ReadOnlySpan<char>, int> When(Func<ReadOnlySpan<char>, bool> predicate) =>
        span => predicate(span) ? span.Length : 0;
}
