using System.Text;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// A quote after a credential key and operator ("password: \"...") opens a value of up to 512 chars that may contain
/// spaces. Text from the key on is held until the value closes (its quote, a line break, or 512 chars); when it closes
/// with a quote the match spans the words inside, so the cuts there are dropped.
/// </summary>
internal sealed class QuoteHold
{
    private const int MaxValue = 512;
    private const int KeyReach = 64; // longest key + quote + 8 spaces + operator + 8 spaces fits
    private (int Quote, int Key)? _double;
    private (int Quote, int Key)? _single;

    /// <summary>No cut after this view index may be released.</summary>
    public int Limit => Math.Min(_double?.Key ?? int.MaxValue, _single?.Key ?? int.MaxValue);

    /// <summary>Updates the state for view char <paramref name="i"/>; returns the chars examined.</summary>
    public int Track(StringBuilder view, int viewBase, int contextStart, int i, List<int> cuts)
    {
        char c = view[i - viewBase];
        if (c is '\r' or '\n')
        {
            (_double, _single) = (null, null);
            return 0;
        }

        _double = Expire(_double, i);
        _single = Expire(_single, i);
        if (c == '"')
        {
            return Quote(ref _double, view, viewBase, contextStart, i, cuts);
        }

        return c == '\'' ? Quote(ref _single, view, viewBase, contextStart, i, cuts) : 0;
    }

    private static (int Quote, int Key)? Expire((int Quote, int Key)? open, int i) =>
        open is { } o && i - o.Quote > MaxValue + 1 ? null : open;

    private static int Quote(ref (int Quote, int Key)? open, StringBuilder view, int viewBase, int contextStart, int i, List<int> cuts)
    {
        if (open is { } o)
        {
            if (i - o.Quote > 1)
            {
                cuts.RemoveAll(x => x > o.Key && x <= i);
            }

            open = null;
            return 0;
        }

        // Cheap test first: an operator before the quote, past at most 8 spaces.
        int k = i - 1;
        while (k >= contextStart && k > i - 10 && BoundaryRules.IsSpace(view[k - viewBase]))
        {
            k--;
        }

        if (k < contextStart || view[k - viewBase] is not ('=' or ':' or '>'))
        {
            return i - k;
        }

        int start = Math.Max(contextStart, i - KeyReach);
        var m = RedactionPatterns.CredentialValueOpening().Match(view.ToString(start - viewBase, i - start));
        if (m.Success)
        {
            open = (i, start + m.Index);
        }

        return i - start;
    }
}
