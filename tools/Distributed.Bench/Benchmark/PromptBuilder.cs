using System.Text;

namespace Distributed.Bench.Benchmark;

/// <summary>
/// Builds English prompts of roughly a given number of tokens from common words (each about one token in a
/// Llama-style vocabulary). The words per token are calibrated from the worker's reported prompt usage.
/// </summary>
internal sealed class PromptBuilder
{
    internal static readonly string[] Words =
    [
        "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "and", "then", "runs", "into", "a", "small",
        "house", "where", "an", "old", "man", "tells", "long", "story", "about", "sea", "ships", "sailors", "who",
        "found", "gold", "on", "island", "far", "away", "from", "home", "every", "night", "they", "sang", "songs",
        "under", "bright", "stars", "while", "wind", "moved", "through", "tall", "trees", "near", "river", "that",
        "flows", "down", "to", "city", "with", "many", "people", "walking", "in", "green", "park", "today",
    ];

    /// <summary>Tokens per word, as last measured (starts at a guess for SentencePiece Llama vocabularies).</summary>
    public double TokensPerWord { get; private set; } = 1.1;

    /// <summary>Fixed tokens outside the words (BOS, the request tag), as last measured.</summary>
    public double Overhead { get; private set; } = 8;

    public int WordsFor(int tokens) => Math.Max(1, (int)Math.Round((tokens - Overhead) / TokensPerWord));

    /// <summary>A prompt; <paramref name="tag"/> makes each request's text distinct so no prefix cache can serve it.</summary>
    public string Build(int tokens, string tag)
    {
        var count = WordsFor(tokens);
        var builder = new StringBuilder($"Story {tag}:");
        var state = 2166136261u; // FNV-1a of the tag: deterministic across runs
        foreach (var ch in tag)
        {
            state = (state ^ ch) * 16777619u;
        }

        state |= 1u;
        for (var i = 0; i < count; i++)
        {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            builder.Append(' ').Append(Words[state % Words.Length]);
        }

        return builder.ToString();
    }

    /// <summary>Updates the estimate from a request of <paramref name="words"/> words that used <paramref name="promptTokens"/>.</summary>
    public void Calibrate(int words, int promptTokens)
    {
        if (words > 16 && promptTokens > Overhead)
        {
            TokensPerWord = Math.Max(0.5, (promptTokens - Overhead) / words);
        }
    }
}
