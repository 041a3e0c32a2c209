using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Distributed.Redis;

/// <summary>Encodes commands as RESP2 arrays of bulk strings into a buffer owned by the writer loop.</summary>
internal static class RespWriter
{
    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    public static void WriteCommand(IBufferWriter<byte> output, RedisCommand command)
    {
        WriteHeader(output, (byte)'*', command.Args.Count + 1);
        WriteString(output, command.Name);
        foreach (var arg in command.Args)
        {
            WriteArgument(output, arg);
        }
    }

    private static void WriteArgument(IBufferWriter<byte> output, object arg)
    {
        switch (arg)
        {
            case string s:
                WriteString(output, s);
                break;
            case byte[] bytes:
                WriteBulk(output, bytes);
                break;
            case ReadOnlyMemory<byte> memory:
                WriteBulk(output, memory.Span);
                break;
            case long l:
                WriteInteger(output, l);
                break;
            case int i:
                WriteInteger(output, i);
                break;
            case uint ui:
                WriteInteger(output, ui);
                break;
            case ulong ul:
                WriteString(output, ul.ToString(CultureInfo.InvariantCulture));
                break;
            case short sh:
                WriteInteger(output, sh);
                break;
            case ushort us:
                WriteInteger(output, us);
                break;
            case byte b:
                WriteInteger(output, b);
                break;
            case bool flag:
                WriteInteger(output, flag ? 1 : 0);
                break;
            case double d:
                WriteString(output, FormatDouble(d));
                break;
            case float f:
                WriteString(output, FormatDouble(f));
                break;
            default:
                // RedisCommand validates arguments, so reaching this is a programming error in this library.
                throw new InvalidOperationException($"Unsupported argument type {arg.GetType().Name}.");
        }
    }

    /// <summary>Redis spells infinities as +inf/-inf; "R" keeps doubles round-trippable.</summary>
    internal static string FormatDouble(double value) => value switch
    {
        double.PositiveInfinity => "+inf",
        double.NegativeInfinity => "-inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteHeader(output, (byte)'$', length);
        var span = output.GetSpan(length + 2);
        var written = Encoding.UTF8.GetBytes(value, span);
        Crlf.CopyTo(span[written..]);
        output.Advance(written + 2);
    }

    private static void WriteBulk(IBufferWriter<byte> output, ReadOnlySpan<byte> value)
    {
        WriteHeader(output, (byte)'$', value.Length);
        var span = output.GetSpan(value.Length + 2);
        value.CopyTo(span);
        Crlf.CopyTo(span[value.Length..]);
        output.Advance(value.Length + 2);
    }

    private static void WriteInteger(IBufferWriter<byte> output, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out var length);
        WriteBulk(output, digits[..length]);
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, int count)
    {
        var span = output.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(count, span[1..], out var length);
        Crlf.CopyTo(span[(1 + length)..]);
        output.Advance(length + 3);
    }
}
