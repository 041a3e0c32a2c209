using System.Diagnostics;
using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Gives an admitted job a free sequence slot and as much of its prompt already in KV cells as can be had: the
/// conversation's own slot if it is free; else its state from the host tier when that holds more of the prompt than
/// any free slot; else the free slot sharing the longest token prefix (or the least recently used). A slot that
/// still holds another conversation is saved to the host tier before it is overwritten.
/// </summary>
internal sealed partial class SlotAssigner(
    SafeLlamaContextHandle context, IntPtr memory, SequenceSlot[] slots, string model, HostKvCache? hostCache, PrefillPadding padding, ILogger logger)
{
    /// <summary>States smaller than this are cheaper to prefill again than to keep.</summary>
    private const int MinSavedTokens = 32;

    /// <summary>Picks the slot, fills its cells (restore, prefix reuse) and returns it with the reused token count.</summary>
    public (SequenceSlot Slot, int Reused) Assign(GenerationJob job)
    {
        var free = slots.Where(s => s.IsFree).ToArray();
        var own = job.CacheKey is null ? null : free.FirstOrDefault(s => s.CacheKey == job.CacheKey);
        if (own is not null)
        {
            return Reuse(own, job);
        }

        var best = free.OrderByDescending(s => s.CommonPrefix(job.PromptTokens)).ThenBy(s => s.LastUsed).First();
        if (job.CacheKey is not null && hostCache is { Enabled: true })
        {
            var saved = hostCache.Peek(model, job.CacheKey);
            if (saved is not null && SequenceSlot.CommonPrefix(saved.Tokens, job.PromptTokens) > best.CommonPrefix(job.PromptTokens))
            {
                // Taken first, so saving the slot's own conversation cannot evict it.
                var entry = hostCache.Take(model, job.CacheKey)!;
                var target = free.OrderBy(s => s.LastUsed).First();
                Save(target);
                var restored = Restore(target, entry);
                hostCache.Recycle(entry);
                if (restored)
                {
                    return Reuse(target, job);
                }
            }
            else
            {
                hostCache.CountMiss();
            }
        }

        if (best.CacheKey != job.CacheKey)
        {
            Save(best);
        }

        return Reuse(best, job);
    }

    /// <summary>Keeps the cells of the prompt's common prefix (less any <see cref="PrefillPadding"/>), removes the rest.</summary>
    private (SequenceSlot, int) Reuse(SequenceSlot slot, GenerationJob job)
    {
        var reused = padding.Reusable(slot.CommonPrefix(job.PromptTokens), job.PromptTokens.Length);
        NativeMethods.llama_memory_seq_rm(memory, slot.SequenceId, reused, -1);
        return (slot, reused);
    }

    /// <summary>Moves a finished conversation's state from a slot about to be overwritten to the host tier.</summary>
    private unsafe void Save(SequenceSlot slot)
    {
        if (hostCache is not { Enabled: true } || slot.CacheKey is not { } key || slot.CachedTokens.Count < MinSavedTokens)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var size = NativeMethods.llama_state_seq_get_size(context, slot.SequenceId);
        if (size == 0 || (long)size > hostCache.BudgetBytes)
        {
            return;
        }

        var buffer = hostCache.RentBuffer(size);
        var written = NativeMethods.llama_state_seq_get_data(context, buffer.Pointer, size, slot.SequenceId);
        var entry = new HostKvEntry(model, key, buffer, written, [.. slot.CachedTokens]);
        if (written == 0)
        {
            hostCache.Recycle(entry);
            LogSaveFailed(logger, slot.SequenceId);
            return;
        }

        if (!hostCache.Put(entry, Stopwatch.GetElapsedTime(started).TotalMilliseconds))
        {
            hostCache.Recycle(entry);
        }
    }

    private unsafe bool Restore(SequenceSlot slot, HostKvEntry entry)
    {
        var started = Stopwatch.GetTimestamp();
        NativeMethods.llama_memory_seq_rm(memory, slot.SequenceId, -1, -1);
        var read = NativeMethods.llama_state_seq_set_data(context, entry.State.Pointer, entry.Length, slot.SequenceId);
        if (read == 0)
        {
            // The cells may be partly written: clear them, and prefill as if nothing was cached.
            NativeMethods.llama_memory_seq_rm(memory, slot.SequenceId, -1, -1);
            slot.Restore(entry.CacheKey, []);
            LogRestoreFailed(logger, slot.SequenceId);
            hostCache!.CountMiss();
            return false;
        }

        slot.Restore(entry.CacheKey, entry.Tokens);
        hostCache!.CountHit(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return true;
    }

    [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Saving sequence {Sequence}'s state to host memory failed; it will be prefilled again")]
    private static partial void LogSaveFailed(ILogger logger, int sequence);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Restoring a saved state into sequence {Sequence} failed; the prompt is prefilled instead")]
    private static partial void LogRestoreFailed(ILogger logger, int sequence);
}
