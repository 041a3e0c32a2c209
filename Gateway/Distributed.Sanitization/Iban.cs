using System.Collections.Frozen;

namespace Distributed.Sanitization;

/// <summary>
/// ISO 13616 validation: the registry length for the country and the ISO 7064 mod-97 check (remainder 1, check digits
/// 02-98). The registry length also tells where the IBAN ends when the candidate ran on into a following word.
/// Countries missing from the table are accepted when the whole 15-34 character candidate passes mod-97.
/// </summary>
internal static class Iban
{
    private static readonly FrozenDictionary<string, int> Lengths = new Dictionary<string, int>
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24,
        ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18,
        ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27,
        ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20,
        ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20,
        ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24,
        ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25,
        ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
        ["YE"] = 30,
    }.ToFrozenDictionary();

    /// <summary>How many chars of <paramref name="candidate"/> form a valid IBAN (0: none).</summary>
    public static int AcceptedLength(ReadOnlySpan<char> candidate)
    {
        Span<char> compact = stackalloc char[34];
        Span<int> endIndex = stackalloc int[34];
        int count = 0;
        for (int i = 0; i < candidate.Length && count < compact.Length; i++)
        {
            char c = candidate[i];
            if (c == ' ')
            {
                continue;
            }

            compact[count] = char.ToUpperInvariant(c);
            endIndex[count] = i + 1;
            count++;
        }

        if (count < 15)
        {
            return 0;
        }

        string country = new(compact[..2]);
        int length;
        if (Lengths.TryGetValue(country, out int registered))
        {
            length = registered;
            if (count < length)
            {
                return 0;
            }
        }
        else
        {
            length = count;
            if (candidate.Length > endIndex[count - 1])
            {
                return 0; // longer than 34 chars
            }
        }

        return IsValid(compact[..length]) ? endIndex[length - 1] : 0;
    }

    /// <summary>Mod-97 on an uppercase IBAN without spaces.</summary>
    internal static bool IsValid(ReadOnlySpan<char> iban)
    {
        if (iban.Length is < 15 or > 34 || !char.IsAsciiLetterUpper(iban[0]) || !char.IsAsciiLetterUpper(iban[1]))
        {
            return false;
        }

        int check = ((iban[2] - '0') * 10) + (iban[3] - '0');
        if (!char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]) || check is < 2 or > 98)
        {
            return false;
        }

        int remainder = 0;
        for (int k = 0; k < iban.Length; k++)
        {
            char c = iban[(k + 4) % iban.Length]; // rotate: BBAN first, then country and check digits
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }
}
