using Distributed.InferenceWorker.Generation;

namespace Distributed.InferenceWorker.Tests.Generation;

/// <summary>
/// Fitting a conversation into the window, with a toy tokenizer: every message costs 10 tokens. Old turns go in
/// blocks, and the first message kept stays put over the following turns, so they share their prefix.
/// </summary>
[TestFixture]
public sealed class ContextFitterTests
{
    [Test]
    public void Fit_EverythingFits_KeepsEverything()
    {
        var messages = Conversation(turns: 3);

        var fit = ContextFitter.Fit(messages, historyOffset: 0, previousFirstKept: null, room: 1000, Tokenize);

        Assert.That(fit.Messages, Is.EqualTo(messages));
        Assert.That(fit.FirstKept, Is.EqualTo(0));
    }

    [Test]
    public void Fit_TooLong_DropsWholeTurnsDownToThreeQuartersOfTheRoom()
    {
        // system + 10 turns (20 messages) + the new message = 22 messages = 220 tokens; room 200 -> at most 150.
        var messages = Conversation(turns: 10);

        var fit = ContextFitter.Fit(messages, historyOffset: 0, previousFirstKept: null, room: 200, Tokenize);

        Assert.That(fit.Tokens, Has.Length.LessThanOrEqualTo(150));
        Assert.That(fit.Tokens, Has.Length.GreaterThan(150 - 20), "no more than needed is dropped");
        Assert.That(fit.Messages[0].Role, Is.EqualTo("system"));
        Assert.That(fit.Messages[1].Role, Is.EqualTo("user"), "a kept history starts with a question");
        Assert.That(fit.Messages[^1], Is.EqualTo(messages[^1]));
        Assert.That(fit.FirstKept % 2, Is.EqualTo(0));
    }

    [Test]
    public void Fit_FollowingTurns_KeepTheSameFirstMessageUntilTheRoomIsFullAgain()
    {
        var messages = Conversation(turns: 10);
        var first = ContextFitter.Fit(messages, 0, null, 200, Tokenize);
        var firsts = new List<int>();
        var previous = first.FirstKept;
        for (var turn = 11; turn <= 16; turn++)
        {
            var next = ContextFitter.Fit(Conversation(turn), 0, previous, 200, Tokenize);
            firsts.Add(next.FirstKept);
            previous = next.FirstKept;
        }

        // 150 tokens after the block drop leave room for two more turns (20 tokens each) before 200 is passed.
        Assert.That(firsts.Take(2), Is.All.EqualTo(first.FirstKept), "the prefix stays the same while it fits");
        Assert.That(firsts.Distinct().Count(), Is.LessThan(firsts.Count), "it moves in blocks, not every turn");
        Assert.That(firsts, Is.Ordered);
    }

    [Test]
    public void Fit_CallerSentOnlyTheNewerPart_FirstKeptIsAbsolute()
    {
        // The caller left out the first 4 history messages and says so.
        var messages = Conversation(turns: 10);
        var sent = new[] { messages[0] }.Concat(messages.Skip(5)).ToArray();

        var fit = ContextFitter.Fit(sent, historyOffset: 4, previousFirstKept: null, room: 1000, Tokenize);

        Assert.That(fit.FirstKept, Is.EqualTo(4));
    }

    [Test]
    public void Fit_NothingButSystemAndNewMessageFits_ReturnsThose()
    {
        var messages = Conversation(turns: 5);

        var fit = ContextFitter.Fit(messages, 0, null, room: 15, Tokenize);

        Assert.That(fit.Messages, Is.EqualTo(new[] { messages[0], messages[^1] }));
    }

    private static int[] Tokenize(IReadOnlyList<ChatTurn> messages) => new int[messages.Count * 10];

    private static ChatTurn[] Conversation(int turns) =>
    [
        new("system", "Be brief."),
        .. Enumerable.Range(0, turns).SelectMany(i => new[] { new ChatTurn("user", $"q{i}"), new ChatTurn("assistant", $"a{i}") }),
        new("user", "the new question"),
    ];
}
