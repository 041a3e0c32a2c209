using System.Text;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// Cuts inside a long run of ASCII letters that began at a safe cut in a word with no credential operator, so text
/// without spaces ("marymarymary…", a long identifier) streams instead of waiting for its end. Of the patterns, only
/// an e-mail's local part, a JWT ("eyJ…") and the fixed-length keys AKIA… (20 chars) and AIza… (39) can be letters
/// alone. A cut leaves <see cref="Hold"/> letters after it: a local part over 64 chars is no address (the whole answer
/// keeps it too), and the piece after the cut still opens with more than 64. No cut is made where a fixed-length key
/// that starts in the run (at its start or at an earlier cut) would end, where a JWT would start, or anywhere in a run
/// that starts with "eyJ". Every other pattern needs a digit, separator or operator within the first 65 chars, and a
/// lookbehind reads at most the one letter before a cut.
/// </summary>
internal sealed class LetterRun
{
    internal const int Hold = 65;
    private int _start = -1;
    private bool _opensJwt; // decided at the run's third letter; the start itself may be compacted away later

    public void Reset() => _start = -1;

    /// <summary>
    /// Tracks view char <paramref name="i"/>; <paramref name="atCut"/> says a safe cut lies right before it. Returns a
    /// view index to cut at, or -1.
    /// </summary>
    public int Track(StringBuilder view, int viewBase, List<int> viewSource, int i, bool atCut)
    {
        if (!char.IsAsciiLetter(view[i - viewBase]))
        {
            _start = -1;
            return -1;
        }

        if (_start < 0)
        {
            _start = atCut ? i : -1;
            return -1;
        }

        if (i == _start + 2)
        {
            _opensJwt = Starts(view, viewBase, _start, "eyJ");
        }

        int cut = i + 1 - Hold;
        if (cut <= _start || _opensJwt || EndsFixedLengthKey(view, viewBase, cut) || Starts(view, viewBase, cut, "eyJ") ||
            viewSource[cut - viewBase] == viewSource[cut - 1 - viewBase])
        {
            return -1; // the last test: one source char folded to several letters ("ﬁ") is never split
        }

        return cut;
    }

    /// <summary>AKIA… (and ASIA, ABIA, ACCA) is 20 chars, AIza… 39; a piece starting with one must not end there.</summary>
    private bool EndsFixedLengthKey(StringBuilder view, int viewBase, int cut) =>
        (cut - 20 >= _start && Starts(view, viewBase, cut - 20, "AKIA", "ASIA", "ABIA", "ACCA")) ||
        (cut - 39 >= _start && Starts(view, viewBase, cut - 39, "AIza"));

    private static bool Starts(StringBuilder view, int viewBase, int at, params ReadOnlySpan<string> prefixes)
    {
        foreach (var prefix in prefixes)
        {
            int k = 0;
            while (k < prefix.Length && view[at + k - viewBase] == prefix[k])
            {
                k++;
            }

            if (k == prefix.Length)
            {
                return true;
            }
        }

        return false;
    }
}
