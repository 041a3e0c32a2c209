namespace Distributed.Sanitization.Streaming;

/// <summary>
/// Suffix automaton of the normalized system prompt: fed the normalized answer one char at a time, it keeps the length
/// of the longest suffix of the answer that occurs in the prompt, in amortized O(1) per char. A window of the echo guard
/// matches exactly when that length reaches the window length, and no echo can start before it.
/// </summary>
internal sealed class PromptAutomaton
{
    private readonly List<Dictionary<char, int>> _next = [];
    private readonly List<int> _link = [];
    private readonly List<int> _length = [];
    private int _state;

    public PromptAutomaton(string prompt)
    {
        AddState(0, -1);
        int last = 0;
        foreach (char c in prompt)
        {
            last = Extend(last, c);
        }
    }

    /// <summary>Length of the longest suffix of the text fed so far that is a substring of the prompt.</summary>
    public int Matched { get; private set; }

    /// <summary>Feeds one char; returns the number of automaton steps taken (for the work counter).</summary>
    public int Feed(char c)
    {
        int steps = 1;
        while (_state != 0 && !_next[_state].ContainsKey(c))
        {
            _state = _link[_state];
            Matched = _length[_state];
            steps++;
        }

        if (_next[_state].TryGetValue(c, out int to))
        {
            _state = to;
            Matched++;
        }
        else
        {
            Matched = 0;
        }

        return steps;
    }

    private int Extend(int last, char c)
    {
        int current = AddState(_length[last] + 1, 0);
        int p = last;
        while (p != -1 && !_next[p].ContainsKey(c))
        {
            _next[p][c] = current;
            p = _link[p];
        }

        if (p != -1)
        {
            int q = _next[p][c];
            if (_length[p] + 1 == _length[q])
            {
                _link[current] = q;
            }
            else
            {
                int clone = AddState(_length[p] + 1, _link[q]);
                foreach (KeyValuePair<char, int> edge in _next[q])
                {
                    _next[clone][edge.Key] = edge.Value;
                }

                while (p != -1 && _next[p].TryGetValue(c, out int target) && target == q)
                {
                    _next[p][c] = clone;
                    p = _link[p];
                }

                _link[q] = clone;
                _link[current] = clone;
            }
        }

        return current;
    }

    private int AddState(int length, int link)
    {
        _next.Add([]);
        _link.Add(link);
        _length.Add(length);
        return _next.Count - 1;
    }
}
