using System.Text;

namespace Distributed.Sanitization;

/// <summary>
/// Removes characters that are invisible when rendered but still reach the model: they hide instructions
/// ("ig&#x200B;nore"), reorder text (bidi overrides, "Trojan Source") or smuggle data (tag characters, runs of
/// variation selectors). Lone surrogates become U+FFFD so every later step sees well-formed UTF-16.
/// </summary>
internal static class InvisibleCharacters
{
    private const char Replacement = '\uFFFD';

    /// <summary>Returns the cleaned text (the same instance when nothing changed) and how many characters were removed or replaced.</summary>
    public static string Strip(string text, out int changed)
    {
        changed = 0;
        int first = FirstChange(text);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsRemovedAstral(char.ConvertToUtf32(c, text[i + 1])))
                {
                    changed++;
                }
                else
                {
                    sb.Append(c).Append(text[i + 1]);
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                sb.Append(Replacement);
                changed++;
                continue;
            }

            if (IsRemoved(text, i, sb))
            {
                changed++;
                continue;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    private static int FirstChange(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is >= ' ' and < '\u007F')
            {
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (IsRemovedAstral(char.ConvertToUtf32(c, text[i + 1])))
                {
                    return i;
                }

                i++;
                continue;
            }

            if (char.IsSurrogate(c) || IsRemoved(text, i, previousKept: i > 0 ? text[i - 1] : '\0'))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsRemoved(string text, int i, StringBuilder kept) =>
        IsRemoved(text, i, kept.Length > 0 ? kept[^1] : '\0');

    private static bool IsRemoved(string text, int i, char previousKept) =>
        IsRemoved(text[i], Previous(text, i), Next(text, i), previousKept);

    /// <summary>The rule for one BMP, non-surrogate char given its raw neighbours ('\0' at the ends) and the last kept char.</summary>
    internal static bool IsRemoved(char c, char previous, char next, char previousKept)
    {
        switch (c)
        {
            case '\t' or '\n' or '\r':
                return false;
            case < ' ' or '\u007F':
            case >= '\u0080' and <= '\u009F':
                return true;
            case '\u200C':
                // Zero-width non-joiner is orthographically required in Persian and Indic scripts; elsewhere it only hides things.
                return !(IsJoiningScript(previous) && IsJoiningScript(next));
            case '\u200D':
                // Zero-width joiner builds emoji sequences (family, profession emoji); between letters it only hides things.
                return !(IsEmojiSide(previous) && IsEmojiSide(next));
            case >= '\uFE00' and <= '\uFE0F':
                // One variation selector picks a glyph (emoji vs text); a run of them is a known data-smuggling channel.
                return previousKept is >= '\uFE00' and <= '\uFE0F';
            default:
                return IsInvisibleFormat(c);
        }
    }

    /// <summary>Default-ignorable and bidi control characters that have no legitimate use in a prompt.</summary>
    internal static bool IsInvisibleFormat(char c) => c switch
    {
        '\u00AD' => true,                       // soft hyphen
        '\u034F' => true,                       // combining grapheme joiner
        '\u061C' => true,                       // Arabic letter mark
        '\u115F' or '\u1160' or '\u3164' or '\uFFA0' => true, // Hangul fillers render as blanks
        '\u17B4' or '\u17B5' => true,           // Khmer inherent vowels (invisible)
        >= '\u180B' and <= '\u180F' => true,    // Mongolian variation selectors and vowel separator
        '\u200B' => true,                       // zero-width space
        '\u200E' or '\u200F' => true,           // LRM / RLM
        >= '\u202A' and <= '\u202E' => true,    // bidi embeddings and overrides
        >= '\u2060' and <= '\u2064' => true,    // word joiner, invisible operators
        >= '\u2066' and <= '\u206F' => true,    // bidi isolates, deprecated format characters
        '\uFEFF' => true,                       // BOM / zero-width no-break space
        >= '\uFFF9' and <= '\uFFFB' => true,    // interlinear annotation
        '\uFFFE' or '\uFFFF' => true,           // noncharacters
        _ => false,
    };

    /// <summary>Tag characters (ASCII smuggling) and the supplementary variation selectors.</summary>
    internal static bool IsRemovedAstral(int codePoint) =>
        codePoint is (>= 0xE0000 and <= 0xE007F) or (>= 0xE0100 and <= 0xE01EF);

    private static char Previous(string text, int i) => i > 0 ? text[i - 1] : '\0';

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';

    private static bool IsJoiningScript(char c) => c is >= '\u0600' and <= '\u0DFF' || c is >= '\uFB50' and <= '\uFDFF';

    private static bool IsEmojiSide(char c) =>
        char.IsSurrogate(c) || c == '\uFE0F' || c is >= '\u2600' and <= '\u27BF' || c is >= '\u2190' and <= '\u21FF';
}
