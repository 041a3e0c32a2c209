using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>A chat prompt as text (template or transcript fallback) and its tokens.</summary>
internal sealed record RenderedPrompt(string Text, bool Templated, int[] Tokens)
{
    /// <param name="last">The conversation's last turn: its tokens are extended when the text still matches.</param>
    public static RenderedPrompt Create(string? template, LlamaVocabulary vocabulary, IReadOnlyList<ChatTurn> messages, Transcript? last)
    {
        var (text, templated) = PromptFormatter.Format(template, messages);
        var tokens = last is null ? null : PromptContinuation.Continue(last, text, suffix => vocabulary.Tokenize(suffix, addSpecial: false, parseSpecial: templated));
        return new RenderedPrompt(text, templated, tokens ?? Tokenize(vocabulary, text, templated));
    }

    private static int[] Tokenize(LlamaVocabulary vocabulary, string text, bool templated)
    {
        var tokens = vocabulary.Tokenize(text, addSpecial: true, parseSpecial: templated);
        // Templates that write BOS themselves would get a second one from add_special.
        return tokens.Length > 1 && tokens[0] == vocabulary.Bos && tokens[1] == vocabulary.Bos ? tokens[1..] : tokens;
    }
}
