using System.Buffers;
using System.Text;

namespace Distributed.Redis.Tests;

/// <summary>Protocol-level tests of the decoder and encoder; no server needed.</summary>
public sealed class RespParserTests
{
    [TestCase("+OK\r\n", RespType.SimpleString, "OK")]
    [TestCase("-ERR bad thing\r\n", RespType.Error, "ERR bad thing")]
    [TestCase(":-42\r\n", RespType.Integer, "-42")]
    [TestCase("$5\r\nhello\r\n", RespType.BulkString, "hello")]
    [TestCase("$0\r\n\r\n", RespType.BulkString, "")]
    [TestCase("$-1\r\n", RespType.Null, null)]
    [TestCase("*-1\r\n", RespType.Null, null)]
    public void TryRead_ScalarReply_ParsesTypeAndValue(string wire, RespType type, string? expected)
    {
        var value = ParseSingle(wire);

        Assert.That(value.Type, Is.EqualTo(type));
        Assert.That(value.AsString(), Is.EqualTo(expected));
    }

    [Test]
    public void TryRead_NestedArray_ParsesItems()
    {
        var value = ParseSingle("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n");

        Assert.That(value.Type, Is.EqualTo(RespType.Array));
        Assert.That(value.Items, Has.Count.EqualTo(3));
        Assert.That(value.Items[0].AsInt64(), Is.EqualTo(1));
        Assert.That(value.Items[1].Items[0].AsString(), Is.EqualTo("a"));
        Assert.That(value.Items[1].Items[1].IsNull, Is.True);
        Assert.That(value.Items[2].Items, Is.Empty);
    }

    [Test]
    public void TryRead_BulkContainingCrlf_KeepsBytesVerbatim()
    {
        var value = ParseSingle("$12\r\na\r\n*1\r\n$1\r\nx\r\n");

        Assert.That(value.AsString(), Is.EqualTo("a\r\n*1\r\n$1\r\nx"));
    }

    [Test]
    public void TryRead_EveryIncompletePrefix_ConsumesNothing()
    {
        var wire = Encoding.UTF8.GetBytes("*2\r\n$3\r\nfoo\r\n*1\r\n:7\r\n");
        for (var length = 0; length < wire.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(wire, 0, length);

            var complete = RespParser.TryRead(ref buffer, out _, out _);

            Assert.That(complete, Is.False, $"prefix of {length} bytes");
            Assert.That(buffer.Length, Is.EqualTo(length), $"prefix of {length} bytes must not be consumed");
        }
    }

    [Test]
    public void TryRead_ReplySplitIntoOneByteSegments_Parses()
    {
        var wire = Encoding.UTF8.GetBytes("*2\r\n$5\r\nhello\r\n:12345\r\n+next\r\n");
        var buffer = OneByteSegments(wire);

        Assert.That(RespParser.TryRead(ref buffer, out var first, out _), Is.True);
        Assert.That(RespParser.TryRead(ref buffer, out var second, out _), Is.True);

        Assert.That(first.Items[0].AsString(), Is.EqualTo("hello"));
        Assert.That(first.Items[1].AsInt64(), Is.EqualTo(12345));
        Assert.That(second.AsString(), Is.EqualTo("next"));
        Assert.That(buffer.IsEmpty, Is.True);
    }

    [Test]
    public void TryRead_LargeArrayArrivingInPieces_ParsesOnlyWhenComplete()
    {
        var wire = new StringBuilder("*5000\r\n");
        for (var i = 0; i < 5000; i++)
        {
            wire.Append($"$6\r\nv{i:D5}\r\n");
        }

        var bytes = Encoding.UTF8.GetBytes(wire.ToString());
        var partial = new ReadOnlySequence<byte>(bytes, 0, bytes.Length - 1);
        Assert.That(RespParser.TryRead(ref partial, out _, out _), Is.False);

        var full = new ReadOnlySequence<byte>(bytes);
        Assert.That(RespParser.TryRead(ref full, out var value, out _), Is.True);
        Assert.That(value.Items, Has.Count.EqualTo(5000));
        Assert.That(value.Items[4999].AsString(), Is.EqualTo("v04999"));
    }

    [Test]
    public void TryRead_Resp3Types_FoldedIntoResp2Shapes()
    {
        Assert.That(ParseSingle("_\r\n").IsNull, Is.True);
        Assert.That(ParseSingle("#t\r\n").AsInt64(), Is.EqualTo(1));
        Assert.That(ParseSingle(",3.5\r\n").AsString(), Is.EqualTo("3.5"));
        Assert.That(ParseSingle("=8\r\ntxt:abcd\r\n").AsString(), Is.EqualTo("abcd"));
        Assert.That(ParseSingle("!7\r\nERR bad\r\n").Type, Is.EqualTo(RespType.Error));
        Assert.That(ParseSingle("%1\r\n+k\r\n:1\r\n").Items.Select(i => i.AsString()), Is.EqualTo(new[] { "k", "1" }));
        Assert.That(ParseSingle("|1\r\n+meta\r\n+x\r\n+real\r\n").AsString(), Is.EqualTo("real"));
    }

    [Test]
    public void TryRead_PushMessage_FlaggedAsPush()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(">2\r\n+message\r\n+x\r\n"));

        Assert.That(RespParser.TryRead(ref buffer, out _, out var isPush), Is.True);
        Assert.That(isPush, Is.True);
    }

    [TestCase("?oops\r\n")]
    [TestCase("$abc\r\n")]
    [TestCase("$3\r\nabcXY")]
    [TestCase("+no carriage return\n")]
    public void TryRead_MalformedInput_ThrowsRedisConnectionException(string wire)
    {
        Assert.That(() => ParseSingle(wire), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public void WriteCommand_MixedArguments_EncodesEachAsBulkString()
    {
        var output = new ArrayBufferWriter<byte>();

        RespWriter.WriteCommand(output, new RedisCommand("SET", "k\r\n", new byte[] { 0, 255 }, 12L, 7, 1.5, double.PositiveInfinity));

        var expected = "*7\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$2\r\n\0\u00ff\r\n$2\r\n12\r\n$1\r\n7\r\n$3\r\n1.5\r\n$4\r\n+inf\r\n";
        Assert.That(output.WrittenSpan.ToArray(), Is.EqualTo(Encoding.Latin1.GetBytes(expected)));
    }

    [Test]
    public void RedisCommand_UnsupportedArgument_ThrowsArgumentException()
    {
        Assert.That(() => new RedisCommand("SET", "k", new object()), Throws.ArgumentException);
        Assert.That(() => new RedisCommand("SET", "k", null!), Throws.ArgumentException);
    }

    private static RespValue ParseSingle(string wire)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(wire));
        Assert.That(RespParser.TryRead(ref buffer, out var value, out _), Is.True, "reply should be complete");
        Assert.That(buffer.IsEmpty, Is.True, "reply should be consumed exactly");
        return value;
    }

    private static ReadOnlySequence<byte> OneByteSegments(byte[] bytes)
    {
        var first = new Segment(bytes.AsMemory(0, 1), 0);
        var last = first;
        for (var i = 1; i < bytes.Length; i++)
        {
            last = last.Append(bytes.AsMemory(i, 1));
        }

        return new ReadOnlySequence<byte>(first, 0, last, 1);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
