using System.Globalization;
using System.Text;
using Distributed.Bench.Benchmark;

namespace Distributed.Bench.Chat;

/// <summary>
/// User messages of a fixed number of words from the prompt builder's word list. Each starts with an id of its
/// conversation (a hash of the run's random id and the conversation's number, so even that differs across runs and
/// conversations) and the turn, and draws its words from a stream seeded by both: messages of different
/// conversations or runs share no prefix, only the template and system prompt before them.
/// </summary>
public sealed class UserMessages(string runId, int words)
{
    public string RunId { get; } = runId;

    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];

    public string For(int conversation, int turn)
    {
        var id = Hash(string.Create(CultureInfo.InvariantCulture, $"{RunId}-{conversation}")).ToString("x8", CultureInfo.InvariantCulture);
        var builder = new StringBuilder(id).Append(string.Create(CultureInfo.InvariantCulture, $", turn {turn}:"));
        var state = Hash(string.Create(CultureInfo.InvariantCulture, $"{id}-{turn}")) | 1u;
        for (var i = 0; i < words; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            builder.Append(' ').Append(PromptBuilder.Words[state % PromptBuilder.Words.Length]);
        }

        return builder.ToString();
    }

    /// <summary>FNV-1a, 32 bits.</summary>
    private static uint Hash(string text)
    {
        var state = 2166136261u;
        foreach (var ch in text)
        {
            state = (state ^ ch) * 16777619u;
        }

        return state;
    }
}
