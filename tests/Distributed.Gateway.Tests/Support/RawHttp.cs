using System.Net.Sockets;
using System.Text;

namespace Distributed.Gateway.Tests.Support;

/// <summary>A response read off the wire: status, headers (lower-case names) and the de-chunked body.</summary>
public sealed record RawHttpResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? MediaType => Headers.TryGetValue("content-type", out var type) ? type.Split(';')[0].Trim() : null;

    public string Text => Encoding.UTF8.GetString(Body);

    public override string ToString() => $"{Status} {MediaType} {Text}";
}

/// <summary>
/// HTTP/1.1 over a plain TcpClient, for requests HttpClient refuses to send or rewrites: CR/LF inside header values,
/// dot segments and raw percent-escapes in the path, bytes that are not UTF-8 in the request line. Each request uses
/// its own connection with <c>Connection: close</c>, and the response is read to the end of the stream.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// A request head (request line and headers; <c>Host</c>, <c>Connection: close</c> and <c>Content-Length</c> added)
    /// then the body. The head is sent as Latin-1, so every char below U+0100 becomes exactly that byte.
    /// </summary>
    public static byte[] Build(string method, string target, IEnumerable<string> headerLines, byte[]? body = null)
    {
        var head = new StringBuilder();
        head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
        head.Append("Host: localhost\r\nConnection: close\r\n");
        foreach (var line in headerLines)
        {
            head.Append(line).Append("\r\n");
        }

        head.Append("Content-Length: ").Append(body?.Length ?? 0).Append("\r\n\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    public static async Task<RawHttpResponse> SendAsync(Uri baseAddress, byte[] request, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseAddress.Host, baseAddress.Port, cancel.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request, cancel.Token);
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancel.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException) when (received.Length > 0)
        {
            // The server reset the connection after answering (unread request bytes): the answer is complete.
        }

        return Parse(received.ToArray());
    }

    private static RawHttpResponse Parse(byte[] data)
    {
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            throw new InvalidDataException($"No complete HTTP response head in {data.Length} bytes: {Encoding.Latin1.GetString(data)}");
        }

        var lines = Encoding.Latin1.GetString(data, 0, end).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }

        var body = data.AsSpan(end + 4).ToArray();
        if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Dechunk(body);
        }

        return new RawHttpResponse(status, headers, body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var output = new MemoryStream();
        var position = 0;
        while (position < chunked.Length)
        {
            var lineEnd = chunked.AsSpan(position).IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }

            var sizeText = Encoding.ASCII.GetString(chunked, position, lineEnd).Split(';')[0];
            var size = Convert.ToInt32(sizeText, 16);
            position += lineEnd + 2;
            if (size == 0)
            {
                break;
            }

            output.Write(chunked, position, Math.Min(size, chunked.Length - position));
            position += size + 2;
        }

        return output.ToArray();
    }
}
