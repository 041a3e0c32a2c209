using System.Text;

namespace Distributed.Sanitization;

/// <summary>
/// Looks for prompt-injection phrasings in the folded text (invisibles already stripped, look-alikes already mapped to
/// ASCII). The phrase and literal views are tried first; the squashed view only when they found nothing, so one
/// phrase is not counted twice.
/// </summary>
internal static class InjectionDetector
{
    private static readonly InjectionPattern[] Patterns =
    [
        new("ignore-previous-instructions", InjectionPatterns.IgnorePreviousInstructions(), InjectionView.Phrase),
        new("disregard-instructions", InjectionPatterns.DisregardInstructions(), InjectionView.Phrase),
        new("override-your-rules", InjectionPatterns.OverrideYourRules(), InjectionView.Phrase),
        new("forget-everything", InjectionPatterns.ForgetEverything(), InjectionView.Phrase),
        new("dan-persona", InjectionPatterns.DoAnythingNow(), InjectionView.Phrase),
        new("developer-mode", InjectionPatterns.DeveloperMode(), InjectionView.Phrase),
        new("reveal-system-prompt", InjectionPatterns.RevealSystemPrompt(), InjectionView.Phrase),
        new("no-restrictions", InjectionPatterns.NoRestrictions(), InjectionView.Phrase),
        new("chat-template-token", InjectionPatterns.ChatTemplateToken(), InjectionView.Literal),
        new("role-spoofing", InjectionPatterns.RoleLabel(), InjectionView.Literal),
    ];

    private static readonly InjectionPattern[] SquashedPatterns =
    [
        new("ignore-previous-instructions", InjectionPatterns.SquashedIgnorePrevious(), InjectionView.Squashed),
        new("override-your-rules", InjectionPatterns.SquashedOverrideYourRules(), InjectionView.Squashed),
        new("reveal-system-prompt", InjectionPatterns.SquashedRevealSystemPrompt(), InjectionView.Squashed),
        new("no-restrictions", InjectionPatterns.SquashedNoRestrictions(), InjectionView.Squashed),
        new("developer-mode", InjectionPatterns.SquashedDeveloperMode(), InjectionView.Squashed),
    ];

    /// <summary>Number of matches, and the name of the first pattern that matched (null when none did).</summary>
    public static int Detect(string folded, out string? firstPattern)
    {
        string literal = folded.ToLowerInvariant();
        string phrase = PhraseView(literal);
        int count = Scan(Patterns, phrase, literal, out firstPattern);
        if (count == 0)
        {
            count = Scan(SquashedPatterns, SquashedView(literal), literal, out firstPattern);
        }

        return count;
    }

    private static int Scan(InjectionPattern[] patterns, string phraseOrSquashed, string literal, out string? firstPattern)
    {
        firstPattern = null;
        int count = 0;
        foreach (InjectionPattern pattern in patterns)
        {
            int hits = pattern.Pattern.Count(pattern.View == InjectionView.Literal ? literal : phraseOrSquashed);
            if (hits > 0)
            {
                firstPattern ??= pattern.Name;
                count += hits;
            }
        }

        return count;
    }

    /// <summary>Markdown emphasis, brackets, slashes and similar separators become spaces; sentence punctuation stays.</summary>
    private static string PhraseView(string literal) =>
        string.Create(literal.Length, literal, static (dest, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char c = src[i];
                dest[i] = c is '*' or '_' or '~' or '`' or '"' or '(' or ')' or '[' or ']' or '{' or '}' or '<' or '>'
                    or '|' or '/' or '\\' or '-' or '+' or '=' or '#' or '^' ? ' ' : c;
            }
        });

    private static string SquashedView(string literal)
    {
        var sb = new StringBuilder(literal.Length);
        foreach (char c in literal)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
