using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Fills one <c>llama_batch</c> per step: every generating sequence's pending token first, then chunks of waiting
/// prompts within the batch budget (smaller chunks while others generate, so their tokens keep flowing), taking the
/// prefilling slots in turn.
/// </summary>
internal sealed class BatchPlanner(SafeLlamaBatchHandle batch, int batchSize, int contextLength, SlotCompletion completion)
{
    private readonly int _prefillChunk = Math.Max(32, batchSize / 2);
    private int _nextPrefill;

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
        for (var k = 0; k < slots.Length && batch.Count < batchSize; k++)
        {
            var slot = slots[(_nextPrefill + k) % slots.Length];
            if (!slot.IsPrefilling)
            {
                continue;
            }

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
        }

        _nextPrefill = (_nextPrefill + 1) % slots.Length;
        return batch.Count > 0;
    }
}
