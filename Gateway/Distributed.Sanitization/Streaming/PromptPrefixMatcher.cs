namespace Distributed.Sanitization.Streaming;

/// <summary>
/// Knuth-Morris-Pratt over the normalized system prompt: fed the normalized answer one char at a time, it keeps the
/// length of the longest suffix of the answer that is a prefix of the prompt, in amortized O(1) per char. A prompt too
/// short for windows is only replaced when repeated whole, so only such a suffix can still become an echo.
/// </summary>
internal sealed class PromptPrefixMatcher
{
    private readonly string _prompt;
    private readonly int[] _fallback; // _fallback[k]: longest proper prefix of prompt[..(k+1)] that is also its suffix

    public PromptPrefixMatcher(string prompt)
    {
        _prompt = prompt;
        _fallback = new int[prompt.Length];
        for (int i = 1, k = 0; i < prompt.Length; i++)
        {
            while (k > 0 && prompt[i] != prompt[k])
            {
                k = _fallback[k - 1];
            }

            if (prompt[i] == prompt[k])
            {
                k++;
            }

            _fallback[i] = k;
        }
    }

    /// <summary>Length of the longest suffix of the text fed so far that is a prefix of the prompt (never the whole prompt).</summary>
    public int Matched { get; private set; }

    /// <summary>Whether the text fed so far ends with the whole prompt.</summary>
    public bool Whole { get; private set; }

    /// <summary>Feeds one char; returns the number of steps taken (for the work counter).</summary>
    public int Feed(char c)
    {
        int steps = 1;
        int k = Matched;
        while (k > 0 && _prompt[k] != c)
        {
            k = _fallback[k - 1];
            steps++;
        }

        if (_prompt[k] == c)
        {
            k++;
        }

        // After a whole occurrence, continue as if the next could overlap it, which only ever holds more.
        Whole = k == _prompt.Length;
        Matched = Whole ? _fallback[k - 1] : k;
        return steps;
    }
}
