using System.Runtime.CompilerServices;
using System.Text;

namespace Distributed.Bench.Chat;

/// <summary>Reads <c>text/event-stream</c> events as they arrive (comments and <c>id:</c>/<c>retry:</c> lines are skipped).</summary>
public static class SseReader
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string? name = null;
        var data = new StringBuilder();
        var hasData = false;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (hasData)
                {
                    yield return new SseEvent(name ?? "message", data.ToString());
                }

                name = null;
                data.Clear();
                hasData = false;
                continue;
            }

            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = Value(line, 6);
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (hasData)
                {
                    data.Append('\n');
                }

                data.Append(Value(line, 5));
                hasData = true;
            }
        }

        if (hasData)
        {
            yield return new SseEvent(name ?? "message", data.ToString());
        }
    }

    private static string Value(string line, int start) =>
        line.Length > start && line[start] == ' ' ? line[(start + 1)..] : line[start..];
}
