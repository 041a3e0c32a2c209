namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// What one conversation's last turn put into its sequence: the rendered prompt (text and the tokens it became) and
/// the answer as the model generated it (raw text and its tokens, with where each token's text ends). The next turn
/// extends exactly these tokens when its rendered prompt still says the same text.
/// </summary>
/// <param name="GeneratedEnds">For each generated token, the length of <paramref name="GeneratedText"/> once its text is added.</param>
/// <param name="FirstKept">Index, in the whole conversation, of the first history message the prompt kept (see <see cref="ContextFitter"/>).</param>
public sealed record Transcript(
    string PromptText,
    int[] PromptTokens,
    string GeneratedText,
    int[] GeneratedTokens,
    int[] GeneratedEnds,
    int FirstKept)
{
    public int TokenCount => PromptTokens.Length + GeneratedTokens.Length;
}
