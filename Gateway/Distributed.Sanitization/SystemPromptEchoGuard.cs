using System.Text;

namespace Distributed.Sanitization;

/// <summary>
/// Replaces verbatim echoes of the system prompt in model output with <c>[SYSTEM PROMPT]</c>. Comparison ignores case
/// and collapses whitespace runs, so reflowed or re-indented copies still count. A prompt of at least
/// <see cref="WindowLength"/> chars is leaked by any common run of that length (a rolling hash over all windows of the
/// prompt makes this linear); a shorter prompt only when it is repeated whole, and prompts under
/// <see cref="MinShortPromptLength"/> chars are ignored because they match ordinary sentences.
/// </summary>
internal static class SystemPromptEchoGuard
{
    internal const int WindowLength = 60;
    internal const int MinShortPromptLength = 16;
    internal const string Placeholder = "[SYSTEM PROMPT]";
    private const ulong HashBase = 1_000_003;

    public static string Suppress(string output, string systemPrompt, out int replaced)
    {
        replaced = 0;
        string prompt = NormalizePrompt(systemPrompt);
        if (prompt.Length < MinShortPromptLength || output.Length == 0)
        {
            return output;
        }

        var map = new List<int>(output.Length);
        string text = Normalize(output, map);
        List<(int Start, int End)> spans = prompt.Length < WindowLength ? WholeOccurrences(text, prompt) : CommonRuns(text, prompt);
        if (spans.Count == 0)
        {
            return output;
        }

        var sb = new StringBuilder(output.Length);
        int copied = 0;
        foreach ((int runStart, int runEnd) in spans)
        {
            // Whitespace at the edges of a run is shared by any two texts; leave it in place.
            (int start, int end) = (runStart, runEnd);
            while (start < end && text[start] == ' ')
            {
                start++;
            }

            while (end > start && text[end - 1] == ' ')
            {
                end--;
            }

            if (start == end)
            {
                continue;
            }

            int srcStart = map[start];
            int srcEnd = map[end - 1] + 1;
            sb.Append(output, copied, srcStart - copied).Append(Placeholder);
            copied = srcEnd;
            replaced++;
        }

        sb.Append(output, copied, output.Length - copied);
        return sb.ToString();
    }

    /// <summary>The prompt as echoes are compared against it: stripped, normalized and trimmed.</summary>
    internal static string NormalizePrompt(string systemPrompt) => Normalize(InvisibleCharacters.Strip(systemPrompt, out _), null).Trim();

    /// <summary>Lowercases and collapses whitespace runs to one space; <paramref name="map"/> receives each char's source index.</summary>
    internal static string Normalize(string s, List<int>? map)
    {
        var sb = new StringBuilder(s.Length);
        bool inSpace = false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsWhiteSpace(c))
            {
                if (inSpace)
                {
                    continue;
                }

                inSpace = true;
                c = ' ';
            }
            else
            {
                inSpace = false;
                c = char.ToLowerInvariant(c);
            }

            sb.Append(c);
            map?.Add(i);
        }

        return sb.ToString();
    }

    private static List<(int Start, int End)> WholeOccurrences(string text, string prompt)
    {
        var spans = new List<(int, int)>();
        for (int at = text.IndexOf(prompt, StringComparison.Ordinal); at >= 0; at = text.IndexOf(prompt, at + prompt.Length, StringComparison.Ordinal))
        {
            spans.Add((at, at + prompt.Length));
        }

        return spans;
    }

    /// <summary>Maximal runs of <paramref name="text"/> covered by windows that also occur in <paramref name="prompt"/>.</summary>
    private static List<(int Start, int End)> CommonRuns(string text, string prompt)
    {
        var spans = new List<(int, int)>();
        if (text.Length < WindowLength)
        {
            return spans;
        }

        ulong power = 1;
        for (int i = 0; i < WindowLength - 1; i++)
        {
            power *= HashBase;
        }

        var windows = new Dictionary<ulong, int>(prompt.Length - WindowLength + 1);
        ulong h = Hash(prompt.AsSpan(0, WindowLength));
        windows.TryAdd(h, 0);
        for (int i = WindowLength; i < prompt.Length; i++)
        {
            h = Roll(h, prompt[i - WindowLength], prompt[i], power);
            windows.TryAdd(h, i - WindowLength + 1);
        }

        int runStart = -1, runEnd = -1;
        h = Hash(text.AsSpan(0, WindowLength));
        for (int i = 0; ; i++)
        {
            if (windows.TryGetValue(h, out int at) && IsSameWindow(text, i, prompt, at))
            {
                if (runStart >= 0 && i <= runEnd)
                {
                    runEnd = i + WindowLength;
                }
                else
                {
                    if (runStart >= 0)
                    {
                        spans.Add((runStart, runEnd));
                    }

                    (runStart, runEnd) = (i, i + WindowLength);
                }
            }

            if (i + WindowLength >= text.Length)
            {
                break;
            }

            h = Roll(h, text[i], text[i + WindowLength], power);
        }

        if (runStart >= 0)
        {
            spans.Add((runStart, runEnd));
        }

        return spans;
    }

    private static bool IsSameWindow(string text, int i, string prompt, int at)
    {
        ReadOnlySpan<char> window = text.AsSpan(i, WindowLength);
        // A hash collision with a different window is possible (the hash is not keyed); fall back to a search.
        return window.SequenceEqual(prompt.AsSpan(at, WindowLength)) || prompt.AsSpan().IndexOf(window, StringComparison.Ordinal) >= 0;
    }

    private static ulong Hash(ReadOnlySpan<char> s)
    {
        ulong h = 0;
        foreach (char c in s)
        {
            h = unchecked((h * HashBase) + c);
        }

        return h;
    }

    private static ulong Roll(ulong h, char outgoing, char incoming, ulong power) =>
        unchecked(((h - (outgoing * power)) * HashBase) + incoming);
}
