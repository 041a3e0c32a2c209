using System.Text;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// <see cref="SystemPromptEchoGuard.Suppress"/> over a stream, with the same normalization, window rule, run merging and
/// edge trimming. A <see cref="PromptAutomaton"/> tracks the longest suffix of the answer found in the prompt; text
/// before that suffix can no longer join an echo, so it is released unless a run it ends could still grow. A prompt too
/// short for windows counts only when repeated whole, so there only the suffix that starts the prompt is held
/// (<see cref="PromptPrefixMatcher"/>): answers that merely share letters with the prompt stream at once.
/// </summary>
internal sealed class EchoGuardStream
{
    private readonly string _prompt;
    private readonly PromptAutomaton? _automaton;  // long prompts: any 60-char window of the prompt is an echo
    private readonly PromptPrefixMatcher? _prefix; // short prompts: only a suffix that starts the prompt can become an echo
    private readonly bool _windowed;

    // Source and normalized chars from absolute indices _sourceBase and _normBase; _map holds each normalized char's source index.
    private readonly StringBuilder _source = new();
    private readonly StringBuilder _norm = new();
    private readonly List<int> _map = [];
    private readonly List<(int Start, int End)> _spans = [];
    private int _normBase;
    private int _sourceBase;
    private int _releasedNorm;
    private int _releasedSource;
    private bool _inSpace;
    private int _runStart = -1;
    private int _runEnd = -1;
    private int _lastEnd;

    private EchoGuardStream(string prompt)
    {
        _prompt = prompt;
        _windowed = prompt.Length >= SystemPromptEchoGuard.WindowLength;
        _automaton = _windowed ? new PromptAutomaton(prompt) : null;
        _prefix = _windowed ? null : new PromptPrefixMatcher(prompt);
    }

    /// <summary>Echoes replaced so far.</summary>
    public int Replaced { get; private set; }

    /// <summary>Chars examined (fed, released, automaton steps).</summary>
    public long Examined { get; private set; }

    /// <summary>Null when the guard does nothing for this prompt (too short, like the whole-answer guard).</summary>
    public static EchoGuardStream? Create(string systemPrompt)
    {
        string prompt = SystemPromptEchoGuard.NormalizePrompt(systemPrompt);
        return prompt.Length < SystemPromptEchoGuard.MinShortPromptLength ? null : new EchoGuardStream(prompt);
    }

    public string Push(string delta)
    {
        foreach (char c in delta)
        {
            Add(c);
        }

        return Release(final: false);
    }

    public string Flush()
    {
        if (_runStart >= 0)
        {
            _spans.Add((_runStart, _runEnd));
            _runStart = -1;
        }

        return Release(final: true);
    }

    private void Add(char c)
    {
        _source.Append(c);
        Examined++;
        if (char.IsWhiteSpace(c))
        {
            if (_inSpace)
            {
                return;
            }

            _inSpace = true;
            c = ' ';
        }
        else
        {
            _inSpace = false;
            c = char.ToLowerInvariant(c);
        }

        _norm.Append(c);
        _map.Add(_sourceBase + _source.Length - 1);
        Examined += _automaton?.Feed(c) ?? _prefix!.Feed(c);
        int end = _normBase + _norm.Length;
        if (_windowed)
        {
            AddWindow(end);
        }
        else if (_prefix!.Whole && end - _prompt.Length >= _lastEnd)
        {
            _spans.Add((end - _prompt.Length, end));
            _lastEnd = end;
        }
    }

    // Same merging as CommonRuns: a window that starts at or before the run's end extends the run.
    private void AddWindow(int end)
    {
        if (_automaton!.Matched < SystemPromptEchoGuard.WindowLength)
        {
            return;
        }

        int start = end - SystemPromptEchoGuard.WindowLength;
        if (_runStart >= 0 && start <= _runEnd)
        {
            _runEnd = end;
            return;
        }

        if (_runStart >= 0)
        {
            _spans.Add((_runStart, _runEnd));
        }

        (_runStart, _runEnd) = (start, end);
    }

    private string Release(bool final)
    {
        int normEnd = _normBase + _norm.Length;
        int suffix = normEnd - (_prefix?.Matched ?? _automaton!.Matched);
        int hold = final ? normEnd : Math.Max(suffix, _lastEnd);
        if (!final && _runStart >= 0)
        {
            if (_runEnd >= hold)
            {
                hold = _runStart; // a later window may still join this run
            }
            else
            {
                _spans.Add((_runStart, _runEnd));
                _runStart = -1;
            }
        }

        if (!final && hold == suffix && hold >= _releasedNorm && hold < normEnd && _norm[hold - _normBase] == ' ')
        {
            hold++; // the longest match can only start a run, and a run's edge whitespace is never replaced
        }

        hold = Math.Max(hold, _releasedNorm);
        int sourceCut = hold < normEnd ? _map[hold - _normBase] : _sourceBase + _source.Length;
        var output = new StringBuilder(sourceCut - _releasedSource);
        int copied = _releasedSource;
        foreach ((int runStart, int runEnd) in _spans)
        {
            (int start, int end) = (runStart - _normBase, runEnd - _normBase);
            while (start < end && _norm[start] == ' ')
            {
                start++;
            }

            while (end > start && _norm[end - 1] == ' ')
            {
                end--;
            }

            if (start == end)
            {
                continue;
            }

            int sourceStart = _map[start];
            output.Append(_source, copied - _sourceBase, sourceStart - copied).Append(SystemPromptEchoGuard.Placeholder);
            copied = _map[end - 1] + 1;
            Replaced++;
        }

        _spans.Clear();
        output.Append(_source, copied - _sourceBase, sourceCut - copied);
        Examined += sourceCut - _releasedSource;
        (_releasedNorm, _releasedSource) = (hold, sourceCut);
        Compact();
        return output.ToString();
    }

    // Drops released text once it outweighs what is held, so the copying stays linear overall.
    private void Compact()
    {
        int normCount = _releasedNorm - _normBase;
        int sourceCount = _releasedSource - _sourceBase;
        if (sourceCount < 4096 || sourceCount < _source.Length - sourceCount)
        {
            return;
        }

        Examined += _source.Length - sourceCount;
        _source.Remove(0, sourceCount);
        _sourceBase += sourceCount;
        _norm.Remove(0, normCount);
        _map.RemoveRange(0, normCount);
        _normBase += normCount;
    }
}
