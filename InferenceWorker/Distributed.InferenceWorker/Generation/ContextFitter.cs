namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Fits a conversation into one sequence's window where the tokens are known. The system messages and the new
/// message always stay; history goes from the oldest end, and in blocks: when the kept history no longer fits, enough
/// whole turns go at once to bring the prompt down to three quarters of the room, and later turns keep that same
/// first message, so they share the prefix (and the KV cache) instead of shifting by one turn each time.
/// </summary>
public static class ContextFitter
{
    /// <param name="messages">System messages, then the history, then the new message.</param>
    /// <param name="historyOffset">Index of the first history message within the whole conversation.</param>
    /// <param name="previousFirstKept">The conversation's first kept message last turn (absolute), if known.</param>
    /// <param name="room">Tokens the prompt may take (the window minus what the answer needs).</param>
    /// <param name="tokenize">Renders and tokenizes a message list.</param>
    public static FittedPrompt Fit(
        IReadOnlyList<ChatTurn> messages, int historyOffset, int? previousFirstKept, int room, Func<IReadOnlyList<ChatTurn>, int[]> tokenize)
    {
        var system = messages.TakeWhile(m => m.Role == "system").Count();
        var historyCount = Math.Max(0, messages.Count - system - 1);
        var starts = TurnStarts(messages, system, historyCount);

        // Where the last turn started, if that is still a turn start here; else everything that was sent.
        var firstKept = Math.Max(previousFirstKept ?? historyOffset, historyOffset) - historyOffset;
        var start = starts.FirstOrDefault(s => s >= firstKept, historyCount);
        var tokens = tokenize(Select(messages, system, start));
        if (tokens.Length <= room)
        {
            return new FittedPrompt(tokens, Select(messages, system, start), historyOffset + start);
        }

        // Drop a block: the first turn start from which the prompt is at most 3/4 of the room (binary search: fewer
        // kept messages, fewer tokens).
        var target = room * 3 / 4;
        var candidates = starts.Where(s => s > start).Append(historyCount).Distinct().ToArray();
        var (low, high) = (0, candidates.Length - 1);
        int[]? best = null;
        var bestStart = historyCount;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var attempt = tokenize(Select(messages, system, candidates[mid]));
            if (attempt.Length <= target)
            {
                (best, bestStart, high) = (attempt, candidates[mid], mid - 1);
            }
            else
            {
                low = mid + 1;
            }
        }

        if (best is null)
        {
            // Not even the system and new message reach 3/4; they may still fit the room.
            best = tokenize(Select(messages, system, historyCount));
            bestStart = historyCount;
        }

        return new FittedPrompt(best, Select(messages, system, bestStart), historyOffset + bestStart);
    }

    /// <summary>History positions where a turn starts (a user message), so no answer loses its question.</summary>
    private static int[] TurnStarts(IReadOnlyList<ChatTurn> messages, int system, int historyCount) =>
        Enumerable.Range(0, historyCount).Where(i => messages[system + i].Role != "assistant").ToArray();

    private static ChatTurn[] Select(IReadOnlyList<ChatTurn> messages, int system, int historyStart) =>
        [.. messages.Take(system), .. messages.Skip(system + historyStart)];
}
