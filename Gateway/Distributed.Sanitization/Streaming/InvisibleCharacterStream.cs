using System.Text;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// <see cref="InvisibleCharacters.Strip"/> over a stream: the same rule per char, with the raw neighbours and the last
/// kept char carried across deltas. Only a char whose fate depends on the next one (a high surrogate, ZWJ, ZWNJ) waits.
/// </summary>
internal sealed class InvisibleCharacterStream
{
    private const char Replacement = '\uFFFD';
    private readonly StringBuilder _work = new();
    private char _previousRaw;
    private char _lastKept;

    /// <summary>Characters removed or replaced so far.</summary>
    public int Changed { get; private set; }

    public string Push(string delta) => Process(delta, final: false);

    public string Flush() => Process(string.Empty, final: true);

    private string Process(string delta, bool final)
    {
        _work.Append(delta);
        var output = new StringBuilder(_work.Length);
        int i = 0;
        for (; i < _work.Length; i++)
        {
            char c = _work[i];
            bool last = i + 1 == _work.Length;
            if (last && !final && (char.IsHighSurrogate(c) || c is '\u200C' or '\u200D'))
            {
                break; // decided by the next char
            }

            char next = last ? '\0' : _work[i + 1];
            if (char.IsHighSurrogate(c) && char.IsLowSurrogate(next))
            {
                if (InvisibleCharacters.IsRemovedAstral(char.ConvertToUtf32(c, next)))
                {
                    Changed++;
                }
                else
                {
                    Keep(output, c);
                    Keep(output, next);
                }

                _previousRaw = next;
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                Keep(output, Replacement);
                Changed++;
            }
            else if (InvisibleCharacters.IsRemoved(c, _previousRaw, next, _lastKept))
            {
                Changed++;
            }
            else
            {
                Keep(output, c);
            }

            _previousRaw = c;
        }

        _work.Remove(0, i);
        return output.ToString();
    }

    private void Keep(StringBuilder output, char c)
    {
        output.Append(c);
        _lastKept = c;
    }
}
