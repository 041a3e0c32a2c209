namespace Distributed.Sanitization;

/// <summary>
/// Digit-count rules applied after the phone regexes matched a phone shape. Plain digit runs without a "+", a trunk
/// "0" or phone grouping (years, dates, order ids, 8-digit numbers) never reach these checks.
/// </summary>
internal static class PhoneNumber
{
    /// <summary>E.164 allows at most 15 digits; fewer than 8 is not a reachable number.</summary>
    public static bool IsInternational(ReadOnlySpan<char> candidate) => CountDigits(candidate) is >= 8 and <= 15;

    public static bool IsParenthesized(ReadOnlySpan<char> candidate) => CountDigits(candidate) is >= 8 and <= 15;

    /// <summary>
    /// Trunk-prefixed national numbers: 9-15 digits with a 2-5 digit first group ("0-306-40615-2", an ISBN, fails);
    /// unseparated only as 10-11 digits after a single 0 (mobile style), so zero-padded ids like "0012345678" pass.
    /// </summary>
    public static bool IsTrunk(ReadOnlySpan<char> candidate)
    {
        int digits = CountDigits(candidate);
        if (digits is < 9 or > 15)
        {
            return false;
        }

        int firstSeparator = candidate.IndexOfAnyExceptInRange('0', '9');
        if (firstSeparator < 0)
        {
            return digits is 10 or 11 && candidate[1] != '0';
        }

        return firstSeparator is >= 2 and <= 5;
    }

    private static int CountDigits(ReadOnlySpan<char> candidate)
    {
        int n = 0;
        foreach (char c in candidate)
        {
            if (c is >= '0' and <= '9')
            {
                n++;
            }
        }

        return n;
    }
}
