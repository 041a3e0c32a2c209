using System.Text;

namespace Distributed.Grpc;

/// <summary>
/// Percent-encoding of <c>grpc-message</c>: UTF-8 bytes, with everything outside
/// 0x20-0x7E (and '%' itself) written as %XX, since HTTP/2 header values must stay ASCII.
/// </summary>
internal static class StatusMessageEncoding
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
        {
            return message;
        }

        var bytes = Encoding.UTF8.GetBytes(message);
        var builder = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (IsUnreserved(b))
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Decodes valid %XX sequences and keeps broken ones as they are: the spec says a bad
    /// value must never make the message disappear or throw.
    /// </summary>
    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        Span<byte> scratch = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                // A peer that sent raw non-ASCII: keep the character as it is.
                var length = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1;
                var written = Encoding.UTF8.GetBytes(value.AsSpan(i, length), scratch);
                bytes.AddRange(scratch[..written]);
                i += length - 1;
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (var c in message)
        {
            if (c > 0x7E || !IsUnreserved((byte)c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnreserved(byte b) => b is >= 0x20 and <= 0x7E && b != (byte)'%';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
