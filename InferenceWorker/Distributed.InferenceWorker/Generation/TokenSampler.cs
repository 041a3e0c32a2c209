using System.Diagnostics;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// After a decode step: samples each sequence's next token, turns it into text (stop strings, UTF-8 safe), streams
/// it, and ends the sequences that are done (end of generation, a stop string, max_tokens).
/// </summary>
internal sealed class TokenSampler(SafeLlamaContextHandle context, LlamaVocabulary vocabulary, TimeSpan streamInterval, SlotCompletion completion)
{
    public void SampleOutputs(SequenceSlot[] slots)
    {
        foreach (var slot in slots)
        {
            if (slot.Job is not { } job || slot.BatchIndex < 0)
            {
                continue;
            }

            var token = NativeMethods.llama_sampler_sample(slot.Sampler!, context, slot.BatchIndex);
            slot.BatchIndex = -1;
            if (slot.FirstTokenAt == 0)
            {
                slot.FirstTokenAt = Stopwatch.GetTimestamp();
            }

            slot.Completion++;
            if (vocabulary.IsEndOfGeneration(token))
            {
                completion.Finish(slot, FinishReason.Stop);
                continue;
            }

            var piece = slot.Text!.Append(token);
            slot.Generated.Add(token);
            slot.RawText.Append(piece);
            slot.GeneratedEnds.Add(slot.RawText.Length);
            var text = slot.Stops!.Push(piece);
            if (slot.Stops.Stopped)
            {
                completion.Finish(slot, FinishReason.Stop, text);
                continue;
            }

            if (slot.Completion >= job.MaxTokens)
            {
                completion.Finish(slot, FinishReason.Length, text);
                continue;
            }

            Stream(slot, job, text);
            slot.PendingToken = token;
        }
    }

    /// <summary>
    /// Sends text at once for the first delta, then at most once per stream interval: every delta wakes the server's
    /// network threads, which on a small machine compete with the compute threads for the same cores.
    /// </summary>
    private void Stream(SequenceSlot slot, GenerationJob job, string text)
    {
        if (text.Length == 0)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (slot.LastSentAt != 0 && Stopwatch.GetElapsedTime(slot.LastSentAt, now) < streamInterval)
        {
            slot.Unsent.Append(text);
            return;
        }

        if (slot.Unsent.Length > 0)
        {
            text = slot.Unsent.Append(text).ToString();
            slot.Unsent.Clear();
        }

        slot.LastSentAt = now;
        job.Write(new GenerationUpdate(text, null));
    }
}
