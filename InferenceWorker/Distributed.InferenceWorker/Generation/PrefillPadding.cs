namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// When to recompute a few cached tokens so that a turn's prefill reaches a full flash-attention tile. ggml's CPU
/// flash attention runs its tiled path (64 query rows at a time) only for a pass of at least 64 rows of one KV stream;
/// with fewer, each row runs a vector loop over the whole history. Measured with the worker's natives (110M bench
/// model, 2 threads, history H): 63 new rows cost 1.7x what 64 do at H = 1000, and from about 32-50 rows on (fewer
/// the longer the history) a padded 64-row pass is the faster one. So a turn adding <see cref="MinNewTokens"/> to
/// <see cref="Rows"/> − 1 tokens to a history of at least <see cref="MinHistory"/> is prefilled as
/// <see cref="Rows"/> tokens (one more than a tile: its first token may ride in the other sequences' decode pass).
/// </summary>
/// <param name="Rows">Prompt tokens a padded prefill decodes; 0 turns padding off.</param>
/// <param name="MinNewTokens">Fewer new tokens than this stay on the vector path (cheaper than a padded tile).</param>
/// <param name="MinHistory">Shorter cached histories make the vector loop cheap enough not to pad.</param>
public sealed record PrefillPadding(int Rows, int MinNewTokens, int MinHistory)
{
    public static PrefillPadding None { get; } = new(0, 0, 0);

    /// <summary>
    /// For the CPU's tiled flash attention. The history threshold scales with the model's width: the vector loop's
    /// share of a row's cost grows with history / embedding size.
    /// </summary>
    public static PrefillPadding ForCpuFlashAttention(int embeddingSize) => new(65, 40, Math.Max(128, embeddingSize / 2));

    /// <summary>How many of the <paramref name="common"/> cached prompt tokens to keep for a prompt of <paramref name="promptLength"/>.</summary>
    public int Reusable(int common, int promptLength)
    {
        var fresh = promptLength - common;
        if (Rows == 0 || fresh >= Rows || fresh < MinNewTokens || common < MinHistory)
        {
            return common;
        }

        return Math.Max(0, promptLength - Rows);
    }
}
