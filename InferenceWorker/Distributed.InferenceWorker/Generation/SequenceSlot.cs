using System.Diagnostics;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// One sequence id of a model's context. Between requests the slot keeps the tokens whose KV cells it still holds
/// (<see cref="CachedTokens"/>) and the cache key of the conversation that produced them, so the next turn of
/// that conversation can reuse the common prefix instead of prefilling it again.
/// </summary>
internal sealed class SequenceSlot(int sequenceId)
{
    public int SequenceId { get; } = sequenceId;

    public GenerationJob? Job { get; private set; }

    /// <summary>Tokens present in this sequence's KV cells, in position order.</summary>
    public List<int> CachedTokens { get; } = [];

    public string? CacheKey { get; private set; }

    public long LastUsed { get; private set; }

    // State of the job in progress.
    public int PrefillOffset { get; set; }

    public int ReusedTokens { get; private set; }

    public int PendingToken { get; set; } = -1;

    public int BatchIndex { get; set; } = -1;

    public int Completion { get; set; }

    public long AdmittedAt { get; private set; }

    public long FirstTokenAt { get; set; }

    public SafeLlamaSamplerHandle? Sampler { get; private set; }

    public TokenTextDecoder? Text { get; private set; }

    public StopStringMatcher? Stops { get; private set; }

    /// <summary>Text generated but not yet streamed (deltas are coalesced to the engine's stream interval); emptied by <see cref="Finish"/>.</summary>
    public System.Text.StringBuilder Unsent { get; } = new();

    /// <summary>When the last delta went out; 0 before the first.</summary>
    public long LastSentAt { get; set; }

    /// <summary>The answer's tokens as sampled (end-of-generation excluded), for the conversation's <see cref="Transcript"/>.</summary>
    public List<int> Generated { get; } = [];

    /// <summary>The answer's raw text as decoded (before stop strings), and where each generated token's text ends in it.</summary>
    public System.Text.StringBuilder RawText { get; } = new();

    public List<int> GeneratedEnds { get; } = [];

    public bool IsFree => Job is null;

    public bool IsPrefilling => Job is not null && PrefillOffset < Job.PromptTokens.Length;

    public int Position => CachedTokens.Count;

    /// <summary>Tokens of <paramref name="prompt"/> already in this slot's cache (kept below the prompt's length so one token is decoded).</summary>
    public int CommonPrefix(int[] prompt) => CommonPrefix(CachedTokens, prompt);

    /// <summary>How many leading tokens of <paramref name="prompt"/> <paramref name="cached"/> holds, at most all but the prompt's last.</summary>
    public static int CommonPrefix(IReadOnlyList<int> cached, int[] prompt)
    {
        var limit = Math.Min(cached.Count, prompt.Length - 1);
        var n = 0;
        while (n < limit && cached[n] == prompt[n])
        {
            n++;
        }

        return n;
    }

    public void Start(GenerationJob job, int reused, SafeLlamaSamplerHandle sampler, TokenTextDecoder text)
    {
        Job = job;
        CacheKey = job.CacheKey;
        ReusedTokens = reused;
        PrefillOffset = reused;
        CachedTokens.RemoveRange(reused, CachedTokens.Count - reused);
        PendingToken = -1;
        BatchIndex = -1;
        Completion = 0;
        FirstTokenAt = 0;
        LastSentAt = 0;
        Generated.Clear();
        RawText.Clear();
        GeneratedEnds.Clear();
        AdmittedAt = Stopwatch.GetTimestamp();
        Sampler = sampler;
        Text = text;
        Stops = new StopStringMatcher(job.Stop);
    }

    /// <summary>A conversation's saved state was restored into this (free) slot: its cells now hold <paramref name="tokens"/>.</summary>
    public void Restore(string cacheKey, int[] tokens)
    {
        CachedTokens.Clear();
        CachedTokens.AddRange(tokens);
        CacheKey = cacheKey;
    }

    /// <summary>Ends the job; <paramref name="keepCache"/> false forgets the cached tokens (their cells were cleared).</summary>
    public void Finish(bool keepCache)
    {
        Sampler?.Dispose();
        Sampler = null;
        Text = null;
        Stops = null;
        Unsent.Clear();
        Job = null;
        PendingToken = -1;
        BatchIndex = -1;
        LastUsed = Stopwatch.GetTimestamp();
        if (!keepCache)
        {
            CachedTokens.Clear();
            CacheKey = null;
        }
    }
}
