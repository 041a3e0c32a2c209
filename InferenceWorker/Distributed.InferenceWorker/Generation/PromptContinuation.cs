namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Tokens for a conversation's new prompt that extend the tokens its last turn really held, instead of a fresh
/// tokenization (which often splits the model's own answer differently and forces a prefill of all that follows).
/// Used only while the new prompt text still starts with the last prompt and then the answer as generated (its
/// leading whitespace may be gone: the gateway trims stored answers); the tokens kept always spell the new text.
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
        var lead = generated.Length - generated.TrimStart().Length;
        var matched = rest.CommonPrefixLength(generated);
        var skipped = 0;
        if (lead > 0 && rest.CommonPrefixLength(generated[lead..]) is var trimmed && trimmed > matched)
        {
            matched = trimmed;
            skipped = lead;
        }

        // Whole generated tokens whose text lies within what matched.
        var kept = 0;
        while (kept < last.GeneratedEnds.Length && last.GeneratedEnds[kept] <= skipped + matched)
        {
            kept++;
        }

        var consumed = kept == 0 ? 0 : Math.Max(0, last.GeneratedEnds[kept - 1] - skipped);
        var suffix = rest[consumed..].ToString();
        var tail = suffix.Length > 0 ? tokenizeSuffix(suffix) : [];
        return [.. last.PromptTokens, .. last.GeneratedTokens.AsSpan(0, kept), .. tail];
    }
}
