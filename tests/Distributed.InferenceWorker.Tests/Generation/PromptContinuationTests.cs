using Distributed.InferenceWorker.Generation;

namespace Distributed.InferenceWorker.Tests.Generation;

/// <summary>
/// The next turn's tokens extend what the conversation's sequence really held. A toy tokenizer (one token per
/// character, code = char) keeps the token arithmetic visible.
/// </summary>
[TestFixture]
public sealed class PromptContinuationTests
{
    // The last turn: prompt "P:" (tokens 1, 2), then the model generated " Hi there." as three tokens.
    private static readonly Transcript Last = new(
        PromptText: "P:",
        PromptTokens: [1, 2],
        GeneratedText: " Hi there.",
        GeneratedTokens: [10, 11, 12],
        GeneratedEnds: [3, 9, 10], // " Hi" | " there" | "."
        FirstKept: 0);

    [Test]
    public void Continue_NewPromptHasTheAnswerAsGenerated_KeepsEveryGeneratedToken()
    {
        var tokens = PromptContinuation.Continue(Last, "P: Hi there.|U:", Chars);

        Assert.That(tokens, Is.EqualTo(new[] { 1, 2, 10, 11, 12, '|', 'U', ':' }));
    }

    [Test]
    public void Continue_AnswerStoredWithoutItsLeadingSpace_StillKeepsTheGeneratedTokens()
    {
        var tokens = PromptContinuation.Continue(Last, "P:Hi there.|U:", Chars);

        Assert.That(tokens, Is.EqualTo(new[] { 1, 2, 10, 11, 12, '|', 'U', ':' }));
    }

    [Test]
    public void Continue_TemplateAddsASpaceTheModelDidNotGenerate_StillKeepsTheGeneratedTokens()
    {
        // The model answered "Hi" right after "P:"; the template renders the stored answer as "P: Hi".
        var last = Last with { GeneratedText = "Hi there.", GeneratedEnds = [2, 8, 9] };

        var tokens = PromptContinuation.Continue(last, "P: Hi there.|U:", Chars);

        Assert.That(tokens, Is.EqualTo(new[] { 1, 2, 10, 11, 12, '|', 'U', ':' }));
    }

    [Test]
    public void Continue_AnswerCutShort_KeepsTheWholeTokensThatStillMatch()
    {
        // A stop string removed " there." from the stored answer.
        var tokens = PromptContinuation.Continue(Last, "P: Hi|U:", Chars);

        Assert.That(tokens, Is.EqualTo(new[] { 1, 2, 10, '|', 'U', ':' }));
    }

    [Test]
    public void Continue_AnswerEditedMidToken_RetokenizesFromThatTokensStart()
    {
        var tokens = PromptContinuation.Continue(Last, "P: Hi thorn|U:", Chars);

        Assert.That(tokens, Is.EqualTo(new[] { 1, 2, 10, ' ', 't', 'h', 'o', 'r', 'n', '|', 'U', ':' }));
    }

    [Test]
    public void Continue_PromptChanged_Null()
    {
        Assert.That(PromptContinuation.Continue(Last, "Q: Hi there.|U:", Chars), Is.Null);
    }

    [Test]
    public void Continue_KeptTokensAlwaysSpellTheNewText()
    {
        // Every cut of the answer: the kept tokens plus the retokenized rest spell the new prompt (toy detokenizer).
        const string answer = " Hi there.";
        for (var cut = 0; cut <= answer.Length; cut++)
        {
            var text = "P:" + answer[..cut] + "|U:";
            var tokens = PromptContinuation.Continue(Last, text, Chars)!;

            Assert.That(Detokenize(tokens), Is.EqualTo(text), $"cut at {cut}");
        }
    }

    private static int[] Chars(string text) => [.. text.Select(c => (int)c)];

    private static string Detokenize(int[] tokens) => string.Concat(tokens.Select(t => t switch
    {
        1 => "P",
        2 => ":",
        10 => " Hi",
        11 => " there",
        12 => ".",
        _ => ((char)t).ToString(),
    }));
}
