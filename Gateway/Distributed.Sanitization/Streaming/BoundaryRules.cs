using System.Globalization;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// When a word starts after whitespace, may the text be cut there? Derived from <see cref="RedactionPatterns"/>: apart
/// from PEM keys and quoted credential values (held elsewhere), the only patterns that span whitespace are digit groups
/// (cards, phones: one plain space between a digit, ')' or ')' plus separator and a digit or '('), IBAN groups (one space between
/// alphanumerics, within 64 chars of an IBAN start), credential assignments and Authorization headers (an operator
/// next to the gap, or "bearer"/"token"/"basic" before it). Lookarounds reach at most two chars, which these cover too.
/// </summary>
internal static class BoundaryRules
{
    /// <summary>The span of an IBAN match: 4 chars, then up to 30 of "[ ]?[A-Za-z0-9]".</summary>
    internal const int IbanReach = 64;

    /// <summary>Whitespace as the regex <c>\s</c> sees it.</summary>
    public static bool IsSpace(char c) =>
        c is '\t' or '\n' or '\v' or '\f' or '\r' or '\u0085' ||
        CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    public static bool IsAlphanumeric(char c) => char.IsAsciiLetterOrDigit(c);

    /// <param name="before">Last char of the previous word ('\0' if none).</param>
    /// <param name="beforeIsGroup">The previous word ends like a digit group: a digit, ')', or ')' and one of ".-".</param>
    /// <param name="beforeIsKeyword">The previous word ends with bearer, token or basic.</param>
    /// <param name="singleSpace">The gap is exactly one U+0020.</param>
    /// <param name="first">First char of the new word.</param>
    /// <param name="ibanOpen">An IBAN start lies within reach before the gap, with only alphanumerics and single spaces since.</param>
    public static bool IsSafeCut(char before, bool beforeIsGroup, bool beforeIsKeyword, bool singleSpace, char first, bool ibanOpen)
    {
        if (beforeIsKeyword || before is '=' or ':' or '>' || first is '=' or ':')
        {
            return false; // Bearer/Basic/credential assignment continue over whitespace
        }

        if (singleSpace && beforeIsGroup && (first is '(' || char.IsAsciiDigit(first)))
        {
            return false; // card or phone digit groups, and their "[0-9][ .-]" lookbehinds and lookaheads
        }

        return !(singleSpace && ibanOpen && IsAlphanumeric(first));
    }

    /// <summary>ASCII chars that no pattern's class or lookaround contains (only the "any non-space" user part of URL
    /// credentials and unquoted credential values do, which the caller rules out; ',' also PEM bodies, held whole). '&lt;' and '&gt;' stay out: "=&gt;" is an operator.</summary>
    private const string AsciiBreakers = "!#$&*,;?\\^`|[]{}";

    /// <summary>
    /// May a word be cut right before and right after <paramref name="c"/>, when no credential operator (nor "://")
    /// precedes it in the word and the word did not start right after one? Every pattern's classes and lookarounds
    /// outside those values are ASCII, and the view is folded, so a breaker (non-ASCII with no ASCII case form, or
    /// ASCII punctuation no pattern uses) can be in no match and decides each lookaround over it the way the text's
    /// start or end does.
    /// </summary>
    public static bool IsBreaker(char c) =>
        char.IsAscii(c) ? AsciiBreakers.Contains(c) : !IsSpace(c) && !char.IsAscii(char.ToLowerInvariant(c)) && !char.IsAscii(char.ToUpperInvariant(c));

    /// <summary>"(555). 020" is one phone: after ')' a separator may precede the space.</summary>
    public static bool EndsLikeGroup(char last, char beforeLast) =>
        char.IsAsciiDigit(last) || last == ')' || (last is '.' or '-' && beforeLast == ')');

    /// <summary>Whether <paramref name="word"/> ends with a scheme word after which a token follows over whitespace.</summary>
    public static bool EndsWithKeyword(ReadOnlySpan<char> word) =>
        word.EndsWith("bearer", StringComparison.OrdinalIgnoreCase) ||
        word.EndsWith("token", StringComparison.OrdinalIgnoreCase) ||
        word.EndsWith("basic", StringComparison.OrdinalIgnoreCase);
}
