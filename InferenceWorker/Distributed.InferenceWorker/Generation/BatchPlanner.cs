using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Fills one <c>llama_batch</c> per step: every generating sequence's pending token first, then chunks of waiting
/// prompts within the batch budget (smaller chunks while others generate, so their tokens keep flowing). Prompts go
/// shortest remaining first, and once one completes in a step no other starts in it: four turns arriving together
/// then get their first tokens one step apart instead of all after one long step (a step's time grows with its
/// tokens, and llama.cpp splits a step of several unequal sequences into more compute passes).
/// </summary>
internal sealed class BatchPlanner(SafeLlamaBatchHandle batch, int batchSize, int contextLength, SlotCompletion completion)
{
    private readonly int _prefillChunk = Math.Max(32, batchSize / 2);

    /// <summary>False when there is nothing to decode.</summary>
    public bool Build(SequenceSlot[] slots)
    {
        batch.Clear();
        var generating = 0;
        foreach (var slot in slots)
        {
            if (slot.Job is null || slot.IsPrefilling || slot.PendingToken < 0)
            {
                continue;
            }

            if (slot.Position >= contextLength)
            {
                completion.Finish(slot, FinishReason.ContextFull);
                continue;
            }

            slot.BatchIndex = batch.Add(slot.PendingToken, slot.Position, slot.SequenceId, wantLogits: true);
            slot.CachedTokens.Add(slot.PendingToken);
            slot.PendingToken = -1;
            generating++;
        }

        var chunkLimit = generating > 0 ? _prefillChunk : batchSize;
        Span<bool> taken = stackalloc bool[slots.Length];
        while (batch.Count < batchSize && NextPrefill(slots, taken) is { } slot)
        {
            var prompt = slot.Job!.PromptTokens;
            var take = Math.Min(Math.Min(prompt.Length - slot.PrefillOffset, batchSize - batch.Count), chunkLimit);
            for (var i = 0; i < take; i++)
            {
                var last = slot.PrefillOffset == prompt.Length - 1;
                var index = batch.Add(prompt[slot.PrefillOffset], slot.Position, slot.SequenceId, wantLogits: last);
                slot.CachedTokens.Add(prompt[slot.PrefillOffset]);
                slot.PrefillOffset++;
                if (last)
                {
                    slot.BatchIndex = index;
                }
            }

            if (!slot.IsPrefilling)
            {
                break; // its first token comes with this step; the next prompt starts in the next one
            }
        }

        return batch.Count > 0;
    }

    /// <summary>
    /// The prefilling slot not yet <paramref name="taken"/> with the fewest remaining prompt tokens (ties: admitted
    /// first), marked taken; null when none is left. A scan per pick: a handful of slots, nothing allocated per step.
    /// </summary>
    private static SequenceSlot? NextPrefill(SequenceSlot[] slots, Span<bool> taken)
    {
        var best = -1;
        for (var i = 0; i < slots.Length; i++)
        {
            if (taken[i] || !slots[i].IsPrefilling)
            {
                continue;
            }

            if (best < 0 || Remaining(slots[i]) < Remaining(slots[best]) ||
                (Remaining(slots[i]) == Remaining(slots[best]) && slots[i].AdmittedAt < slots[best].AdmittedAt))
            {
                best = i;
            }
        }

        if (best < 0)
        {
            return null;
        }

        taken[best] = true;
        return slots[best];
    }

    private static int Remaining(SequenceSlot slot) => slot.Job!.PromptTokens.Length - slot.PrefillOffset;
}
