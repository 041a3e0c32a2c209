using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Fills one <c>llama_batch</c> per step: every generating sequence's pending token and at most one chunk of a
/// waiting prompt (the shortest remaining; ties: admitted first), smaller while others generate so their tokens keep
/// flowing. Four turns arriving together thus get their first tokens one step apart instead of all after one long step.
/// The layout follows how llama.cpp cuts a batch into compute passes when each sequence has its own KV stream
/// (<c>split_equal</c>): a pass takes only sequences whose ids follow one another in batch order, one token of each
/// until one runs out. So tokens go in sequence-id order (slot order; any other order costs a pass per break in it),
/// and a prompt longer than a chunk is cut into equal chunks (300 tokens: 150 + 150, not 256 + 44), since a pass of
/// fewer than 64 rows of one sequence misses the CPU's tiled flash attention (see <see cref="PrefillPadding"/>).
/// While a sequence has sampled some but not all of the tokens its caller needs to show anything
/// (<see cref="GenerationJob.FirstVisibleTokens"/>), no prompt shares the step: a decode-only step is a fraction of one
/// with a prefill chunk, and the held prompt loses only that.
/// </summary>
internal sealed class BatchPlanner(SafeLlamaBatchHandle batch, int batchSize, int contextLength, SlotCompletion completion)
{
    private readonly int _prefillChunk = Math.Max(32, batchSize / 2);

    /// <summary>False when there is nothing to decode. <paramref name="slots"/> are in sequence-id order.</summary>
    public bool Build(SequenceSlot[] slots)
    {
        batch.Clear();
        Span<bool> decode = stackalloc bool[slots.Length];
        var generating = 0;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot.Job is null || slot.IsPrefilling || slot.PendingToken < 0)
            {
                continue;
            }

            if (slot.Position >= contextLength)
            {
                completion.Finish(slot, FinishReason.ContextFull);
                continue;
            }

            decode[i] = true;
            generating++;
        }

        var prefill = AwaitingFirstVisible(slots) ? -1 : NextPrefill(slots);
        var chunk = prefill < 0
            ? 0
            : Math.Min(ChunkOf(Remaining(slots[prefill]), generating > 0 ? _prefillChunk : batchSize), batchSize - generating);
        for (var i = 0; i < slots.Length; i++)
        {
            if (decode[i])
            {
                AddPending(slots[i]);
            }
            else if (i == prefill && chunk > 0)
            {
                AddPrompt(slots[i], chunk);
            }
        }

        return batch.Count > 0;
    }

    /// <summary>
    /// How many of <paramref name="remaining"/> prompt tokens one step takes: all when they fit in
    /// <paramref name="limit"/>, else an equal share of the fewest chunks that do.
    /// </summary>
    public static int ChunkOf(int remaining, int limit)
    {
        if (remaining <= limit)
        {
            return remaining;
        }

        var chunks = (remaining + limit - 1) / limit;
        return (remaining + chunks - 1) / chunks;
    }

    private void AddPending(SequenceSlot slot)
    {
        slot.BatchIndex = batch.Add(slot.PendingToken, slot.Position, slot.SequenceId, wantLogits: true);
        slot.CachedTokens.Add(slot.PendingToken);
        slot.PendingToken = -1;
    }

    private void AddPrompt(SequenceSlot slot, int count)
    {
        var prompt = slot.Job!.PromptTokens;
        for (var i = 0; i < count; i++)
        {
            var last = slot.PrefillOffset == prompt.Length - 1;
            var index = batch.Add(prompt[slot.PrefillOffset], slot.Position, slot.SequenceId, wantLogits: last);
            slot.CachedTokens.Add(prompt[slot.PrefillOffset]);
            slot.PrefillOffset++;
            if (last)
            {
                slot.BatchIndex = index; // its logits give the first answer token
            }
        }
    }

    private static bool AwaitingFirstVisible(SequenceSlot[] slots)
    {
        foreach (var slot in slots)
        {
            if (slot.Job is { } job && !slot.IsPrefilling && slot.PendingToken >= 0 && job.FirstVisibleTokens > 1 && slot.Completion < job.FirstVisibleTokens)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The index of the prefilling slot with the fewest remaining prompt tokens (ties: admitted first); -1 when none.</summary>
    private static int NextPrefill(SequenceSlot[] slots)
    {
        var best = -1;
        for (var i = 0; i < slots.Length; i++)
        {
            if (!slots[i].IsPrefilling)
            {
                continue;
            }

            if (best < 0 || Remaining(slots[i]) < Remaining(slots[best]) ||
                (Remaining(slots[i]) == Remaining(slots[best]) && slots[i].AdmittedAt < slots[best].AdmittedAt))
            {
                best = i;
            }
        }

        return best;
    }

    private static int Remaining(SequenceSlot slot) => slot.Job!.PromptTokens.Length - slot.PrefillOffset;
}
