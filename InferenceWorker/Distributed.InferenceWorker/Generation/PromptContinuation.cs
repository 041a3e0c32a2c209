namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Tokens for a conversation's new prompt that extend the tokens its last turn really held, instead of a fresh
/// tokenization (which often splits the model's own answer differently and forces a prefill of all that follows).
/// Used only while the new prompt text still starts with the last prompt and then the answer as generated (up to the
/// whitespace before it: the gateway trims stored answers, templates add their own); the kept tokens spell the new
/// text but for that whitespace.
/// </summary>
public static class PromptContinuation
{
    /// <summary>The new prompt's tokens, or null when <paramref name="newText"/> does not continue <paramref name="last"/>.</summary>
    /// <param name="tokenizeSuffix">Tokenizes text that follows other tokens (no BOS).</param>
    public static int[]? Continue(Transcript last, string newText, Func<string, int[]> tokenizeSuffix)
    {
        if (!newText.StartsWith(last.PromptText, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = newText.AsSpan(last.PromptText.Length);
        var generated = last.GeneratedText.AsSpan();

        // Templates differ in the whitespace they put around stored content (a space after "Assistant:", trimmed
        // answers): the answer matches from its first non-space character on either side.
        var matched = rest.CommonPrefixLength(generated);
        var (skipRest, skipGenerated) = (0, 0);
        var restLead = rest.Length - rest.TrimStart().Length;
        var generatedLead = generated.Length - generated.TrimStart().Length;
        if (restLead != generatedLead && rest[restLead..].CommonPrefixLength(generated[generatedLead..]) is var aligned && aligned > matched)
        {
            (matched, skipRest, skipGenerated) = (aligned, restLead, generatedLead);
        }

        // Whole generated tokens whose text lies within what matched.
        var kept = 0;
        while (kept < last.GeneratedEnds.Length && last.GeneratedEnds[kept] <= skipGenerated + matched)
        {
            kept++;
        }

        var consumed = kept == 0 ? 0 : skipRest + Math.Max(0, last.GeneratedEnds[kept - 1] - skipGenerated);
        var suffix = rest[consumed..].ToString();
        var tail = suffix.Length > 0 ? tokenizeSuffix(suffix) : [];
        return [.. last.PromptTokens, .. last.GeneratedTokens.AsSpan(0, kept), .. tail];
    }
}
