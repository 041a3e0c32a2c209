using System.Diagnostics;
using Distributed.InferenceWorker.Native;
using Distributed.InferenceWorker.Services;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Ends a slot's job: the held-back text and the result go out, the slot is freed, and its KV cells stay for the
/// conversation's next turn (with the turn's <see cref="Transcript"/>) unless the job was cancelled, failed or full.
/// </summary>
internal sealed class SlotCompletion(IntPtr memory, TranscriptStore transcripts, Action released)
{
    public void Finish(SequenceSlot slot, FinishReason reason, string text = "")
    {
        var job = slot.Job!;
        if (reason is not FinishReason.Cancelled && !slot.Stops!.Stopped)
        {
            var rest = slot.Text!.Flush();
            slot.RawText.Append(rest);
            text += slot.Stops.Push(rest) + slot.Stops.Flush();
        }

        text = slot.Unsent + text;
        var keep = reason is FinishReason.Stop or FinishReason.Length;
        if (keep)
        {
            Publish(slot, job);
        }
        else if (job.CacheKey is not null)
        {
            transcripts.Remove(job.CacheKey);
        }

        Complete(job, text, Result(job, reason, slot));
        Release(slot, keep);
    }

    public void Fail(SequenceSlot slot, WorkerException error)
    {
        if (slot.Job!.CacheKey is { } key)
        {
            transcripts.Remove(key);
        }

        slot.Job.Complete(error);
        Release(slot, keepCache: false);
    }

    public static void Complete(GenerationJob job, string text, GenerationResult result)
    {
        job.Write(new GenerationUpdate(text, result));
        job.Complete();
    }

    public static GenerationResult Result(GenerationJob job, FinishReason reason, SequenceSlot? slot)
    {
        var now = Stopwatch.GetTimestamp();
        var admitted = slot?.AdmittedAt ?? now;
        var firstToken = slot is { FirstTokenAt: > 0 } ? slot.FirstTokenAt : now;
        var completion = slot?.Completion ?? 0;
        var prefilled = job.PromptTokens.Length - (slot?.ReusedTokens ?? 0);
        var prefillSeconds = Stopwatch.GetElapsedTime(admitted, firstToken).TotalSeconds;
        var decodeSeconds = Stopwatch.GetElapsedTime(firstToken, now).TotalSeconds;
        return new GenerationResult(
            reason,
            job.PromptTokens.Length,
            completion,
            slot?.ReusedTokens ?? 0,
            QueuedMs: Stopwatch.GetElapsedTime(job.EnqueuedAt, admitted).TotalMilliseconds,
            PrefillMs: prefillSeconds * 1000,
            PrefillTokensPerSecond: prefillSeconds > 0 ? prefilled / prefillSeconds : 0,
            DecodeTokensPerSecond: completion > 1 && decodeSeconds > 0 ? (completion - 1) / decodeSeconds : 0,
            TotalMs: Stopwatch.GetElapsedTime(job.EnqueuedAt, now).TotalMilliseconds);
    }

    /// <summary>What the conversation's sequence now holds, for the next turn to extend (chat prompts with a cache key only).</summary>
    private void Publish(SequenceSlot slot, GenerationJob job)
    {
        if (job.CacheKey is null || job.PromptText is null)
        {
            return;
        }

        transcripts.Set(job.CacheKey, new Transcript(
            job.PromptText,
            job.PromptTokens,
            slot.RawText.ToString(),
            [.. slot.Generated],
            [.. slot.GeneratedEnds],
            job.Fit?.FirstKept ?? 0));
    }

    private void Release(SequenceSlot slot, bool keepCache)
    {
        if (!keepCache)
        {
            NativeMethods.llama_memory_seq_rm(memory, slot.SequenceId, -1, -1);
        }

        slot.Finish(keepCache);
        released();
    }
}
