using System.Text.Json;

namespace Distributed.Bench.Chat;

/// <summary>
/// Appends each streamed gateway answer as one JSON line: its pieces with their arrival time since the request was
/// sent, so what the streamed sanitizer held and released can be studied offline (sanitization on against off).
/// </summary>
public sealed class DeltaRecorder(string path)
{
    private readonly Lock _gate = new();

    public void Append(IReadOnlyList<(double Ms, string Text)> deltas)
    {
        var line = JsonSerializer.Serialize(deltas.Select(d => new { ms = Math.Round(d.Ms, 1), text = d.Text }));
        lock (_gate)
        {
            File.AppendAllText(path, line + "\n");
        }
    }
}
