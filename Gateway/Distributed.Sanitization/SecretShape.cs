namespace Distributed.Sanitization;

/// <summary>
/// Tells generated credentials from words: a real key or token has a long alphanumeric run with digits or mixed case,
/// while "Bearer instruments" or "sk-learn-is-great-for-beginners" do not.
/// </summary>
internal static class SecretShape
{
    private const int MinRun = 16;

    public static bool LooksRandom(ReadOnlySpan<char> token)
    {
        int run = 0;
        int longest = 0;
        bool digit = false, upper = false, lower = false;
        foreach (char c in token)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                run++;
                longest = Math.Max(longest, run);
                digit |= char.IsAsciiDigit(c);
                upper |= char.IsAsciiLetterUpper(c);
                lower |= char.IsAsciiLetterLower(c);
            }
            else
            {
                run = 0;
            }
        }

        return longest >= MinRun && (digit || (upper && lower));
    }
}
