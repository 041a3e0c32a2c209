using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Distributed.Redis;

/// <summary>
/// Incremental RESP decoder: <see cref="TryRead"/> either consumes exactly one complete reply or consumes
/// nothing and asks for more bytes. RESP3 kinds are accepted and folded into RESP2 shapes so a server that
/// answers in RESP3 does not desynchronise the stream.
/// </summary>
internal static class RespParser
{
    private const int MaxDepth = 64;
    private const int MaxLineLength = 1024 * 1024;

    // Above this size a reply is probably large and arriving in pieces: validate completeness without
    // allocating first, so repeated partial attempts do not produce garbage.
    private const int ScanFirstThreshold = 16 * 1024;

    /// <summary>
    /// Reads one top-level reply from the start of <paramref name="buffer"/> and slices it off.
    /// <paramref name="isPush"/> marks an out-of-band RESP3 push message, which answers no command.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RespValue value, out bool isPush)
    {
        value = RespValue.Null;
        isPush = false;
        if (buffer.IsEmpty)
        {
            return false;
        }

        if (buffer.Length > ScanFirstThreshold)
        {
            var scan = new SequenceReader<byte>(buffer);
            if (!TryReadValue(ref scan, materialize: false, depth: 0, out _, out _))
            {
                return false;
            }
        }

        var reader = new SequenceReader<byte>(buffer);
        if (!TryReadValue(ref reader, materialize: true, depth: 0, out var parsed, out isPush))
        {
            return false;
        }

        value = parsed!;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private static bool TryReadValue(
        ref SequenceReader<byte> reader, bool materialize, int depth, out RespValue? value, out bool isPush)
    {
        value = null;
        isPush = false;
        if (depth > MaxDepth)
        {
            throw ProtocolError("replies nested too deeply");
        }

        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                return TryReadLine(ref reader, out var simple)
                    && Set(out value, materialize ? RespValue.SimpleString(Decode(simple)) : null);
            case (byte)'-':
                return TryReadLine(ref reader, out var error)
                    && Set(out value, materialize ? RespValue.Error(Decode(error)) : null);
            case (byte)':':
                return TryReadLine(ref reader, out var integer)
                    && Set(out value, materialize ? RespValue.Integer(ParseInteger(integer)) : null);
            case (byte)'$':
                return TryReadBulk(ref reader, materialize, RespType.BulkString, out value);
            case (byte)'!':
                // RESP3 blob error.
                return TryReadBulk(ref reader, materialize, RespType.Error, out value);
            case (byte)'=':
                // RESP3 verbatim string: "txt:" or "mkd:" format tag, then the text.
                return TryReadBulk(ref reader, materialize, RespType.BulkString, out value, skip: 4);
            case (byte)'*':
            case (byte)'~':
                return TryReadAggregate(ref reader, materialize, depth, multiplier: 1, out value);
            case (byte)'%':
                // RESP3 map: flattened to key, value, key, value... like HGETALL in RESP2.
                return TryReadAggregate(ref reader, materialize, depth, multiplier: 2, out value);
            case (byte)'>':
                isPush = true;
                return TryReadAggregate(ref reader, materialize, depth, multiplier: 1, out value);
            case (byte)'|':
                // RESP3 attribute: metadata preceding the real reply; read past it.
                return TryReadAggregate(ref reader, materialize: false, depth, multiplier: 2, out _)
                    && TryReadValue(ref reader, materialize, depth, out value, out isPush);
            case (byte)'_':
                return TryReadLine(ref reader, out _) && Set(out value, RespValue.Null);
            case (byte)'#':
                return TryReadLine(ref reader, out var boolean)
                    && Set(out value, materialize ? RespValue.Integer(ParseBoolean(boolean)) : null);
            case (byte)',':
            case (byte)'(':
                // RESP3 double and big number: keep their text, as RESP2 would send it.
                return TryReadLine(ref reader, out var number)
                    && Set(out value, materialize ? RespValue.BulkString(number.ToArray()) : null);
            default:
                throw ProtocolError($"unexpected type byte 0x{prefix:X2}");
        }
    }

    private static bool TryReadBulk(
        ref SequenceReader<byte> reader, bool materialize, RespType type, out RespValue? value, int skip = 0)
    {
        value = null;
        if (!TryReadLine(ref reader, out var header))
        {
            return false;
        }

        var length = ParseInteger(header);
        if (length == -1)
        {
            value = RespValue.Null;
            return true;
        }

        if (length < skip || length > int.MaxValue - 2)
        {
            throw ProtocolError($"invalid bulk length {length}");
        }

        if (reader.Remaining < length + 2)
        {
            return false;
        }

        if (materialize)
        {
            var bytes = new byte[length - skip];
            reader.Advance(skip);
            reader.TryCopyTo(bytes);
            reader.Advance(bytes.Length);
            value = type == RespType.Error ? RespValue.Error(Encoding.UTF8.GetString(bytes)) : RespValue.BulkString(bytes);
        }
        else
        {
            reader.Advance(length);
        }

        if (!reader.IsNext("\r\n"u8, advancePast: true))
        {
            throw ProtocolError("bulk string not terminated by CRLF");
        }

        return true;
    }

    private static bool TryReadAggregate(
        ref SequenceReader<byte> reader, bool materialize, int depth, int multiplier, out RespValue? value)
    {
        value = null;
        if (!TryReadLine(ref reader, out var header))
        {
            return false;
        }

        var count = ParseInteger(header);
        if (count == -1)
        {
            value = RespValue.Null;
            return true;
        }

        if (count < 0 || count > int.MaxValue / multiplier)
        {
            throw ProtocolError($"invalid aggregate length {count}");
        }

        count *= multiplier;

        // Every element takes at least 3 bytes; do not allocate for a count the buffer cannot possibly hold yet.
        if (reader.Remaining < count * 3)
        {
            return false;
        }

        var items = materialize ? new RespValue[count] : null;
        for (var i = 0; i < count; i++)
        {
            if (!TryReadValue(ref reader, materialize, depth + 1, out var item, out _))
            {
                return false;
            }

            if (items is not null)
            {
                items[i] = item!;
            }
        }

        value = items is null ? null : RespValue.Array(items);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, out ReadOnlySpan<byte> line)
    {
        if (!reader.TryReadTo(out line, (byte)'\n'))
        {
            if (reader.Remaining > MaxLineLength)
            {
                throw ProtocolError("line too long");
            }

            return false;
        }

        if (line.IsEmpty || line[^1] != (byte)'\r')
        {
            throw ProtocolError("line not terminated by CRLF");
        }

        line = line[..^1];
        return true;
    }

    private static long ParseInteger(ReadOnlySpan<byte> text)
    {
        if (!Utf8Parser.TryParse(text, out long value, out var consumed) || consumed != text.Length)
        {
            throw ProtocolError($"invalid integer '{Decode(text)}'");
        }

        return value;
    }

    private static long ParseBoolean(ReadOnlySpan<byte> text) => text switch
    {
        [(byte)'t'] => 1,
        [(byte)'f'] => 0,
        _ => throw ProtocolError($"invalid boolean '{Decode(text)}'"),
    };

    private static string Decode(ReadOnlySpan<byte> text) => Encoding.UTF8.GetString(text);

    private static bool Set(out RespValue? target, RespValue? value)
    {
        target = value;
        return true;
    }

    private static RedisConnectionException ProtocolError(string detail) => new($"RESP protocol error: {detail}.");
}
