using System.Collections.Frozen;
using System.Text;

namespace Distributed.Sanitization;

/// <summary>
/// Maps look-alike characters to the ASCII they imitate, so detectors see "ignore" in "ｉｇｎｏｒｅ", "𝐢𝐠𝐧𝐨𝐫𝐞" or
/// Cyrillic "іgnоrе", and "[EMAIL]" catches "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ".
/// </summary>
/// <remarks>
/// The repository runs with <c>InvariantGlobalization</c>, where <see cref="string.Normalize()"/> is a no-op, so
/// NFKC is approximated here from Unicode data: fullwidth forms, mathematical alphanumerics, letterlike and
/// enclosed letters, ligatures, super/subscript digits, Latin letters with diacritics, dropped combining marks,
/// typographic quotes/dashes/spaces, plus the common Cyrillic/Greek/small-capital homoglyphs that NFKC itself leaves
/// alone. The fold is only used to find spans; the returned text keeps the user's original characters.
/// </remarks>
internal static class UnicodeFold
{
    // NFKD base letters of U+00C0..U+017F and U+1E00..U+1EFF ('.': no ASCII base), generated from Unicode data.
    private const string Latin1AndExtendedA =
        "AAAAAA.CEEEEIIII.NOOOOO..UUUUY..aaaaaa.ceeeeiiii.nooooo..uuuuy.y" +
        "AaAaAaCcCcCcCcDd..EeEeEeEeEeGgGgGgGgHh..IiIiIiIiI.IiJjKk.LlLlLlL" +
        "l..NnNnNn...OoOoOo..RrRrRrSsSsSsSsTtTt..UuUuUuUuUuUuWwYyYZzZzZzs";

    private const string LatinExtendedAdditional =
        "AaBbBbBbCcDdDdDdDdDdEeEeEeEeEeFfGgHhHhHhHhHhIiIiKkKkKkLlLlLlLlMm" +
        "MmMmNnNnNnNnOoOoOoOoPpPpRrRrRrRrSsSsSsSsSsTtTtTtTtUuUuUuUuUuVvVv" +
        "WwWwWwWwWwXxXxYyZzZzZzhtwyas....AaAaAaAaAaAaAaAaAaAaAaAaEeEeEeEe" +
        "EeEeEeEeIiIiOoOoOoOoOoOoOoOoOoOoOoOoUuUuUuUuUuUuUuYyYyYyYy......";

    private static readonly FrozenDictionary<int, string> Scattered = BuildScattered();

    /// <summary>The ASCII replacement for one code point: <c>null</c> when it stays as is, empty when it is dropped.</summary>
    public static string? Fold(int cp)
    {
        if (cp < 0x80)
        {
            return null;
        }

        switch (cp)
        {
            case >= 0xFF01 and <= 0xFF5E:
                return Ascii((char)(cp - 0xFEE0));
            case >= 0x0300 and <= 0x036F:
            case >= 0x1AB0 and <= 0x1AFF:
            case >= 0x1DC0 and <= 0x1DFF:
            case >= 0x20D0 and <= 0x20FF:
            case >= 0xFE20 and <= 0xFE2F:
                return string.Empty; // combining marks: "igno\u0301re" reads as "ignore"
            case >= 0x00C0 and <= 0x017F:
                return Letter(Latin1AndExtendedA[cp - 0x00C0], cp);
            case >= 0x1E00 and <= 0x1EFF:
                return Letter(LatinExtendedAdditional[cp - 0x1E00], cp);
            case >= 0x1D400 and <= 0x1D6A3:
                {
                    // 13 styled alphabets of 52 letters each (A-Z then a-z); the holes are unassigned code points.
                    int i = (cp - 0x1D400) % 52;
                    return Ascii(i < 26 ? (char)('A' + i) : (char)('a' + i - 26));
                }

            case >= 0x1D7CE and <= 0x1D7FF:
                return Ascii((char)('0' + ((cp - 0x1D7CE) % 10)));
            case >= 0x24B6 and <= 0x24CF:
                return Ascii((char)('A' + cp - 0x24B6));
            case >= 0x24D0 and <= 0x24E9:
                return Ascii((char)('a' + cp - 0x24D0));
            case >= 0x249C and <= 0x24B5:
                return Ascii((char)('a' + cp - 0x249C));
            case >= 0x2460 and <= 0x2468:
                return Ascii((char)('1' + cp - 0x2460));
            case >= 0x2776 and <= 0x277E:
                return Ascii((char)('1' + cp - 0x2776));
            case >= 0x2780 and <= 0x2788:
                return Ascii((char)('1' + cp - 0x2780));
            case >= 0x278A and <= 0x2792:
                return Ascii((char)('1' + cp - 0x278A));
            case >= 0x2080 and <= 0x2089:
                return Ascii((char)('0' + cp - 0x2080));
            case >= 0x2074 and <= 0x2079:
                return Ascii((char)('0' + cp - 0x2070));
            case >= 0x1F110 and <= 0x1F129:
                return Ascii((char)('A' + cp - 0x1F110));
            case >= 0x1F130 and <= 0x1F149:
                return Ascii((char)('A' + cp - 0x1F130));
            case >= 0x1F150 and <= 0x1F169:
                return Ascii((char)('A' + cp - 0x1F150));
            case >= 0x1F170 and <= 0x1F189:
                return Ascii((char)('A' + cp - 0x1F170));
            case >= 0x1F1E6 and <= 0x1F1FF:
                return Ascii((char)('A' + cp - 0x1F1E6));
            case >= 0x2000 and <= 0x200A:
            case 0x00A0 or 0x1680 or 0x202F or 0x205F or 0x3000:
                return " ";
            case >= 0x2010 and <= 0x2015:
            case 0x2212 or 0xFE58 or 0xFE63:
                return "-";
            default:
                return Scattered.GetValueOrDefault(cp);
        }
    }

    /// <summary>Folds a whole string, recording for each folded char the source range it came from.</summary>
    public static FoldedText FoldWithMap(string text)
    {
        int first = FirstFolded(text);
        if (first < 0)
        {
            return new FoldedText(text, null, null);
        }

        var sb = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length);
        var ends = new List<int>(text.Length);
        for (int i = 0; i < first; i++)
        {
            sb.Append(text[i]);
            starts.Add(i);
            ends.Add(i + 1);
        }

        for (int i = first; i < text.Length; i++)
        {
            int width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            int cp = width == 2 ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i];
            string? folded = Fold(cp);
            if (folded is null)
            {
                for (int k = 0; k < width; k++)
                {
                    sb.Append(text[i + k]);
                    starts.Add(i);
                    ends.Add(i + width);
                }
            }
            else
            {
                foreach (char f in folded)
                {
                    sb.Append(f);
                    starts.Add(i);
                    ends.Add(i + width);
                }
            }

            i += width - 1;
        }

        return new FoldedText(sb.ToString(), [.. starts], [.. ends]);
    }

    private static int FirstFolded(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                continue;
            }

            bool pair = char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            if (Fold(pair ? char.ConvertToUtf32(c, text[i + 1]) : c) is not null)
            {
                return i;
            }

            if (pair)
            {
                i++;
            }
        }

        return -1;
    }

    private static string? Letter(char baseLetter, int cp) => baseLetter != '.' ? Ascii(baseLetter) : Scattered.GetValueOrDefault(cp);

    // Cached one-char strings so the hot path does not allocate.
    private static readonly string[] AsciiStrings = Enumerable.Range(0, 128).Select(i => ((char)i).ToString()).ToArray();

    private static string Ascii(char c) => AsciiStrings[c];

    private static FrozenDictionary<int, string> BuildScattered()
    {
        var map = new Dictionary<int, string>
        {
            // Latin letters without a decomposition, and ligatures.
            [0x00D8] = "O", [0x00F8] = "o", [0x0110] = "D", [0x0111] = "d", [0x0126] = "H", [0x0127] = "h",
            [0x0131] = "i", [0x0141] = "L", [0x0142] = "l", [0x0237] = "j", [0x0261] = "g", [0x0251] = "a",
            [0x00DF] = "ss", [0x00C6] = "AE", [0x00E6] = "ae", [0x0152] = "OE", [0x0153] = "oe",
            [0xFB00] = "ff", [0xFB01] = "fi", [0xFB02] = "fl", [0xFB03] = "ffi", [0xFB04] = "ffl", [0xFB05] = "st", [0xFB06] = "st",
            [0x0132] = "IJ", [0x0133] = "ij",

            // Superscripts, typographic punctuation.
            [0x00B9] = "1", [0x00B2] = "2", [0x00B3] = "3", [0x2070] = "0", [0x2071] = "i", [0x207F] = "n", [0x24EA] = "0",
            [0x2018] = "'", [0x2019] = "'", [0x201B] = "'", [0x2032] = "'", [0x02BC] = "'", [0x201C] = "\"", [0x201D] = "\"",
            [0x201F] = "\"", [0x2033] = "\"", [0x2024] = ".", [0x2044] = "/", [0x2215] = "/", [0xFE6B] = "@", [0x2022] = "*",

            // Letterlike symbols (NFKC maps these to plain letters).
            [0x2102] = "C", [0x210A] = "g", [0x210B] = "H", [0x210C] = "H", [0x210D] = "H", [0x210E] = "h", [0x210F] = "h",
            [0x2110] = "I", [0x2111] = "I", [0x2112] = "L", [0x2113] = "l", [0x2115] = "N", [0x2119] = "P", [0x211A] = "Q",
            [0x211B] = "R", [0x211C] = "R", [0x211D] = "R", [0x2124] = "Z", [0x2128] = "Z", [0x212A] = "K", [0x212B] = "A",
            [0x212C] = "B", [0x212D] = "C", [0x212F] = "e", [0x2130] = "E", [0x2131] = "F", [0x2133] = "M", [0x2134] = "o",
            [0x2139] = "i", [0x2145] = "D", [0x2146] = "d", [0x2147] = "e", [0x2148] = "i", [0x2149] = "j",

            // Small capitals used by "fancy text" generators.
            [0x1D00] = "a", [0x0299] = "b", [0x1D04] = "c", [0x1D05] = "d", [0x1D07] = "e", [0xA730] = "f", [0x0262] = "g",
            [0x029C] = "h", [0x026A] = "i", [0x1D0A] = "j", [0x1D0B] = "k", [0x029F] = "l", [0x1D0D] = "m", [0x0274] = "n",
            [0x1D0F] = "o", [0x1D18] = "p", [0x0280] = "r", [0xA731] = "s", [0x1D1B] = "t", [0x1D1C] = "u", [0x1D20] = "v",
            [0x1D21] = "w", [0x028F] = "y", [0x1D22] = "z",

            // Cyrillic homoglyphs.
            [0x0410] = "A", [0x0412] = "B", [0x0415] = "E", [0x041A] = "K", [0x041C] = "M", [0x041D] = "H", [0x041E] = "O",
            [0x0420] = "P", [0x0421] = "C", [0x0422] = "T", [0x0423] = "Y", [0x0425] = "X", [0x0405] = "S", [0x0406] = "I",
            [0x0408] = "J", [0x051A] = "Q", [0x051C] = "W", [0x0430] = "a", [0x0435] = "e", [0x043E] = "o", [0x0440] = "p",
            [0x0441] = "c", [0x0443] = "y", [0x0445] = "x", [0x0455] = "s", [0x0456] = "i", [0x0458] = "j", [0x0501] = "d",
            [0x04BB] = "h", [0x051B] = "q", [0x051D] = "w", [0x04CF] = "l", [0x0457] = "i",

            // Greek homoglyphs.
            [0x0391] = "A", [0x0392] = "B", [0x0395] = "E", [0x0396] = "Z", [0x0397] = "H", [0x0399] = "I", [0x039A] = "K",
            [0x039C] = "M", [0x039D] = "N", [0x039F] = "O", [0x03A1] = "P", [0x03A4] = "T", [0x03A5] = "Y", [0x03A7] = "X",
            [0x03B1] = "a", [0x03B9] = "i", [0x03BA] = "k", [0x03BD] = "v", [0x03BF] = "o", [0x03C1] = "p", [0x03C4] = "t",
            [0x03C5] = "u", [0x03C7] = "x",

            // Armenian homoglyphs.
            [0x0578] = "n", [0x057D] = "u", [0x0585] = "o",
        };
        return map.ToFrozenDictionary();
    }
}
