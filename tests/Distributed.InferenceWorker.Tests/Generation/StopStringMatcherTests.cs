using Distributed.InferenceWorker.Generation;

namespace Distributed.InferenceWorker.Tests.Generation;

public class StopStringMatcherTests
{
    [Test]
    public void Push_StopSplitAcrossPieces_HeldBackThenDropped()
    {
        var matcher = new StopStringMatcher(["</s>"]);
        var sent = matcher.Push("Hello <") + matcher.Push("/") + matcher.Push("s> tail");
        Assert.That(sent, Is.EqualTo("Hello "));
        Assert.That(matcher.Stopped, Is.True);
    }

    [Test]
    public void Push_PartialMatchThatFails_ReleasedInOrder()
    {
        var matcher = new StopStringMatcher(["STOP"]);
        var first = matcher.Push("a ST");
        var second = matcher.Push("ART b");
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("a "));
            Assert.That(first + second, Is.EqualTo("a START b"));
            Assert.That(matcher.Stopped, Is.False);
        });
    }

    [Test]
    public void Push_TwoStops_EarliestWins()
    {
        var matcher = new StopStringMatcher(["world", "lo"]);
        Assert.That(matcher.Push("hello world"), Is.EqualTo("hel"));
    }

    [Test]
    public void Flush_HeldPrefixAtEnd_Released()
    {
        var matcher = new StopStringMatcher(["\n\nUser:"]);
        var sent = matcher.Push("answer\n\n");
        Assert.That(sent + matcher.Flush(), Is.EqualTo("answer\n\n"));
    }

    [Test]
    public void Push_NoStops_PassesThrough()
    {
        var matcher = new StopStringMatcher([]);
        Assert.That(matcher.Push("abc") + matcher.Push("def"), Is.EqualTo("abcdef"));
    }
}
