using System.Globalization;
using System.Text;
using Distributed.Bench.Benchmark;

namespace Distributed.Bench.Chat;

/// <summary>
/// User messages of a fixed number of words from the prompt builder's word list. Each starts with the run's random id,
/// the conversation and the turn, and draws its words from a stream seeded by all three, so no two messages (of this
/// run, of other runs, of other conversations) share more than a word or two.
/// </summary>
public sealed class UserMessages(string runId, int words)
{
    public string RunId { get; } = runId;

    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];

    public string For(int conversation, int turn)
    {
        var tag = string.Create(CultureInfo.InvariantCulture, $"{RunId}-{conversation}-{turn}");
        var builder = new StringBuilder("Note ").Append(tag).Append(':');
        var state = 2166136261u; // FNV-1a of the tag
        foreach (var ch in tag)
        {
            state = (state ^ ch) * 16777619u;
        }

        state |= 1u;
        for (var i = 0; i < words; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            builder.Append(' ').Append(PromptBuilder.Words[state % PromptBuilder.Words.Length]);
        }

        return builder.ToString();
    }
}
