using System.Text;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Finds stop strings across token boundaries: text that could still become a stop string is held back
/// until it either completes one (and is dropped) or cannot (and is released).
/// </summary>
public sealed class StopStringMatcher(IReadOnlyList<string> stops)
{
    private readonly StringBuilder _held = new();

    public bool Stopped { get; private set; }

    /// <summary>Adds generated text; returns what may be sent now.</summary>
    public string Push(string text)
    {
        if (Stopped)
        {
            return string.Empty;
        }

        _held.Append(text);
        if (stops.Count == 0)
        {
            return Release(_held.Length);
        }

        var pending = _held.ToString();
        var first = -1;
        foreach (var stop in stops)
        {
            var at = pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            Stopped = true;
            _held.Clear();
            return pending[..first];
        }

        var keep = 0;
        foreach (var stop in stops)
        {
            for (var length = Math.Min(stop.Length - 1, pending.Length); length > keep; length--)
            {
                if (pending.AsSpan(pending.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    keep = length;
                    break;
                }
            }
        }

        return Release(pending.Length - keep);
    }

    /// <summary>The held-back text, when generation ends for another reason.</summary>
    public string Flush() => Release(_held.Length);

    private string Release(int count)
    {
        var text = _held.ToString(0, count);
        _held.Remove(0, count);
        return text;
    }
}
