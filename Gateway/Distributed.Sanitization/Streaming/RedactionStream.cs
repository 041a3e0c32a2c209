using System.Text;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// <see cref="Redactor.Redact"/> over a stream. The folded view is built as chars arrive; every word start that no
/// pattern can span (<see cref="BoundaryRules"/>) is a cut, and the text before the last usable cut is redacted alone
/// and released; so is a point inside a long run of letters (<see cref="LetterRun"/>). Because no match or lookaround
/// crosses a cut, redacting the pieces equals redacting the whole.
/// Two constructs can span many words and hold every cut after their start until they are decided: a PEM private key
/// (<see cref="PemHold"/>) and a quoted credential value (<see cref="QuoteHold"/>).
/// </summary>
internal sealed class RedactionStream
{
    private const int Context = 64; // view chars kept before the released point, for IBAN starts and key names
    private readonly FindingTally _tally;
    private readonly StringBuilder _source = new();      // from absolute source index _sourceBase
    private readonly StringBuilder _view = new();        // folded, from absolute view index _viewBase
    private readonly List<int> _viewSource = [];         // absolute source index of each view char
    private readonly List<int> _cuts = [];               // safe cuts (absolute view indices) not yet released
    private readonly PemHold _pem = new();
    private readonly QuoteHold _quotes = new();
    private readonly LetterRun _letters = new();
    private int _sourceBase;
    private int _viewBase;
    private int _releasedView;
    private int _releasedSource;
    private char _pendingHigh;

    // Word state: start of the current gap (-1 inside a word), and what the word before it ended with.
    private int _gapStart = -1;
    private int _wordStart;
    private char _wordLast;
    private bool _wordGroup;
    private bool _wordKeyword;
    private bool _wordGuarded; // in-word cuts are off: the word started at an unsafe cut or holds '=' or ':' so far
    private bool _sawWord;     // a non-space char has arrived
    private int _ibanStart = -1;
    private int _ibanBreak = -1;

    public RedactionStream(FindingTally tally) => _tally = tally;

    public long Examined { get; private set; }

    public string Push(string delta)
    {
        Append(delta);
        return Release(ReleasableCut());
    }

    public string Flush()
    {
        if (_pendingHigh != '\0')
        {
            AddCodePoint(_pendingHigh.ToString());
            _pendingHigh = '\0';
        }

        return Release(_viewBase + _view.Length, all: true);
    }

    private void Append(string delta)
    {
        for (int i = 0; i < delta.Length; i++)
        {
            char c = delta[i];
            if (_pendingHigh != '\0')
            {
                char high = _pendingHigh;
                _pendingHigh = '\0';
                if (char.IsLowSurrogate(c))
                {
                    AddCodePoint(string.Concat(high, c));
                    continue;
                }

                AddCodePoint(high.ToString());
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 == delta.Length)
                {
                    _pendingHigh = c; // a pair is never split between two pieces
                    continue;
                }

                if (char.IsLowSurrogate(delta[i + 1]))
                {
                    AddCodePoint(delta.Substring(i, 2));
                    i++;
                    continue;
                }
            }

            AddCodePoint(c.ToString());
        }
    }

    // Same fold as UnicodeFold.FoldWithMap, one code point at a time.
    private void AddCodePoint(string codePoint)
    {
        int sourceIndex = _sourceBase + _source.Length;
        _source.Append(codePoint);
        int cp = codePoint.Length == 2 ? char.ConvertToUtf32(codePoint[0], codePoint[1]) : codePoint[0];
        string folded = UnicodeFold.Fold(cp) ?? codePoint;
        foreach (char f in folded)
        {
            _viewSource.Add(sourceIndex);
            AddViewChar(f);
        }

        if (!_sawWord)
        {
            _cuts.Add(_viewBase + _view.Length); // whitespace before the first word: no pattern starts with it or reaches back over it
        }
        else if (_gapStart < 0 && !_wordGuarded && folded.Length > 0 && BoundaryRules.IsBreaker(_view[^1]))
        {
            _cuts.Add(_viewBase + _view.Length); // after a breaker: "Sure," goes out with its comma, before the next token
        }
    }

    private void AddViewChar(char c)
    {
        int i = _viewBase + _view.Length;
        _view.Append(c);
        Examined++;
        if (BoundaryRules.IsSpace(c))
        {
            if (_gapStart < 0)
            {
                _gapStart = i;
                _wordLast = i > _wordStart ? _view[i - 1 - _viewBase] : '\0';
                _wordGroup = BoundaryRules.EndsLikeGroup(_wordLast, i - 1 > _wordStart ? _view[i - 2 - _viewBase] : '\0');
                int from = Math.Max(_wordStart, i - 6) - _viewBase;
                _wordKeyword = BoundaryRules.EndsWithKeyword(_view.ToString(from, i - _viewBase - from));
            }
        }
        else if (_gapStart >= 0)
        {
            bool singleSpace = i - _gapStart == 1 && _gapStart >= 0 && _view[_gapStart - _viewBase] == ' ';
            bool ibanOpen = _ibanStart > _ibanBreak && i - _ibanStart < BoundaryRules.IbanReach;
            bool safe = BoundaryRules.IsSafeCut(_wordLast, _wordGroup, _wordKeyword, singleSpace, c, ibanOpen);
            if (safe)
            {
                _cuts.Add(i);
            }

            _gapStart = -1;
            _wordStart = i;
            _wordGuarded = !safe;
        }
        else if (i > _wordStart && !_wordGuarded && BoundaryRules.IsBreaker(c) &&
                 _viewSource[i - _viewBase] != _viewSource[i - 1 - _viewBase])
        {
            _cuts.Add(i); // before a breaker such as a CJK letter or ",;!?" (after one: AddCodePoint): unbroken text streams too
        }

        _wordGuarded |= c is '=' or ':';
        _sawWord |= _gapStart < 0;
        TrackLetterRun(i);

        TrackIban(c, i);
        _pem.Track(_view, _viewBase, i);
        Examined += _quotes.Track(_view, _viewBase, Math.Max(_viewBase, _releasedView - Context), i, _cuts);
    }

    private void TrackLetterRun(int i)
    {
        if (_wordGuarded)
        {
            _letters.Reset();
            return;
        }

        bool atCut = (_cuts.Count > 0 && _cuts[^1] == i) || _releasedView == i;
        int cut = _letters.Track(_view, _viewBase, _viewSource, i, atCut);
        if (cut >= 0)
        {
            _cuts.Add(cut); // the run's own cuts come after every other cut before its last letter
        }
    }

    private void TrackIban(char c, int i)
    {
        char previous = At(i - 1);
        if ((!BoundaryRules.IsAlphanumeric(c) && c != ' ') || (c == ' ' && previous == ' '))
        {
            _ibanBreak = i;
        }
        else if (char.IsAsciiDigit(c) && char.IsAsciiDigit(previous) && char.IsAsciiLetter(At(i - 2)) &&
                 char.IsAsciiLetter(At(i - 3)) && !BoundaryRules.IsAlphanumeric(At(i - 4)))
        {
            _ibanStart = i - 3; // "(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}"
        }
    }

    private char At(int i) => i >= _viewBase ? _view[i - _viewBase] : '\0';

    private int ReleasableCut()
    {
        int limit = _viewBase + _view.Length;
        Examined += _pem.Decide(_view, _viewBase, _cuts, ref limit);
        limit = Math.Min(limit, _quotes.Limit);
        int best = -1;
        for (int k = _cuts.Count - 1; k >= 0; k--)
        {
            if (_cuts[k] <= limit)
            {
                best = _cuts[k];
                break;
            }
        }

        return best;
    }

    private string Release(int cut, bool all = false)
    {
        if (!all && cut <= _releasedView)
        {
            return string.Empty;
        }

        int viewEnd = _viewBase + _view.Length;
        int sourceCut = cut >= viewEnd ? _sourceBase + _source.Length : _viewSource[cut - _viewBase];
        string segment = _source.ToString(_releasedSource - _sourceBase, sourceCut - _releasedSource);
        Examined += segment.Length;
        string text = segment.Length == 0 ? segment : Redactor.Redact(segment, UnicodeFold.FoldWithMap(segment), _tally);
        _releasedView = cut;
        _releasedSource = sourceCut;
        int released = 0;
        while (released < _cuts.Count && _cuts[released] <= cut)
        {
            released++;
        }

        _cuts.RemoveRange(0, released);
        Compact();
        return text;
    }

    // Drops released text once it outweighs what is held (keeping some view context), so copying stays linear overall.
    private void Compact()
    {
        int dropSource = _releasedSource - _sourceBase;
        if (dropSource >= 4096 && dropSource >= _source.Length - dropSource)
        {
            _source.Remove(0, dropSource);
            _sourceBase += dropSource;
            Examined += _source.Length;
        }

        int dropView = _releasedView - Context - _viewBase;
        if (dropView >= 4096 && dropView >= _view.Length - dropView)
        {
            _view.Remove(0, dropView);
            _viewSource.RemoveRange(0, dropView);
            _viewBase += dropView;
            Examined += _view.Length;
        }
    }
}
