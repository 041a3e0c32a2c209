using System.Text;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// Holds text from each "-----BEGIN" until the PEM pattern's match from there is decided: its header (at most 72 chars)
/// failed, or at least 72 chars follow the match (so neither the body nor an END line can grow). A decided match spans
/// whitespace, so the cuts inside it are dropped. The pattern is rerun only as the held text grows by half, which keeps
/// the work linear; a long key is released a little later for it.
/// </summary>
internal sealed class PemHold
{
    private const string Begin = "-----BEGIN";
    private const int Decisive = 72;
    private readonly Queue<int> _begins = new();
    private int _checkAt;

    public void Track(StringBuilder view, int viewBase, int i)
    {
        int start = i - Begin.Length + 1;
        if (view[i - viewBase] != 'N' || start < viewBase)
        {
            return;
        }

        for (int k = 0; k < Begin.Length; k++)
        {
            if (view[start - viewBase + k] != Begin[k])
            {
                return;
            }
        }

        _begins.Enqueue(start);
    }

    /// <summary>Lowers <paramref name="limit"/> to an undecided BEGIN; returns the chars examined.</summary>
    public int Decide(StringBuilder view, int viewBase, List<int> cuts, ref int limit)
    {
        int examined = 0;
        int end = viewBase + view.Length;
        while (_begins.TryPeek(out int p))
        {
            int length = end - p;
            if (length < Math.Max(Decisive, _checkAt))
            {
                limit = Math.Min(limit, p);
                return examined;
            }

            examined += length;
            var m = RedactionPatterns.PemPrivateKey().Match(view.ToString(p - viewBase, length));
            if (m.Success && m.Index == 0 && length - m.Length < Decisive)
            {
                _checkAt = length + Math.Max(Decisive, length / 2);
                limit = Math.Min(limit, p);
                return examined;
            }

            if (m.Success && m.Index == 0)
            {
                int matchEnd = p + m.Length;
                cuts.RemoveAll(c => c > p && c < matchEnd);
            }

            _begins.Dequeue();
            _checkAt = 0;
        }

        return examined;
    }
}
