using System.Diagnostics;
using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Services;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Continuous batching for one loaded model: a dedicated thread runs a decode loop that puts every active
/// sequence's next token and chunks of waiting prompts into one shared <c>llama_batch</c> per step.
/// Requests past the slot count wait in a bounded queue.
/// </summary>
public sealed partial class GenerationEngine : IDisposable
{
    private readonly SafeLlamaContextHandle _context;
    private readonly LlamaVocabulary _vocabulary;
    private readonly IntPtr _memory;
    private readonly SequenceSlot[] _slots;
    private readonly LinkedList<GenerationJob> _queue = new();
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly SafeLlamaBatchHandle _batch;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly EngineSettings _settings;
    private readonly int _prefillChunk;
    private SafeGgmlThreadpoolHandle? _threadpool;
    private volatile bool _stopping;
    private int _active;
    private int _nextPrefill;

    public GenerationEngine(string name, SafeLlamaContextHandle context, LlamaVocabulary vocabulary, EngineSettings settings, ILogger logger)
    {
        _context = context;
        _vocabulary = vocabulary;
        _logger = logger;
        _settings = settings;
        _memory = NativeMethods.llama_get_memory(context);
        Capacity = (int)NativeMethods.llama_n_seq_max(context);
        ContextLength = Math.Min(settings.SequenceContext, (int)NativeMethods.llama_n_ctx_seq(context));
        BatchSize = (int)NativeMethods.llama_n_batch(context);
        // While other sequences are generating, a long prompt advances in smaller chunks so their tokens keep flowing.
        _prefillChunk = Math.Max(32, BatchSize / 2);
        _slots = Enumerable.Range(0, Capacity).Select(i => new SequenceSlot(i)).ToArray();
        _batch = SafeLlamaBatchHandle.Create(BatchSize);
        AttachThreadpool();
        _thread = new Thread(Run) { IsBackground = true, Name = $"decode:{name}" };
        _thread.Start();
    }

    /// <summary>Sequences decoded together.</summary>
    public int Capacity { get; }

    /// <summary>Tokens one sequence can hold (prompt plus completion).</summary>
    public int ContextLength { get; }

    public int BatchSize { get; }

    public int ActiveSequences => Volatile.Read(ref _active);

    public int QueuedSequences
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    public LlamaVocabulary Vocabulary => _vocabulary;

    /// <summary>Queues a job; RESOURCE_EXHAUSTED when the queue is full, INVALID_ARGUMENT when the prompt cannot fit.</summary>
    public void Enqueue(GenerationJob job)
    {
        if (job.PromptTokens.Length == 0)
        {
            throw WorkerException.Invalid("The prompt is empty.");
        }

        if (job.PromptTokens.Length >= ContextLength)
        {
            throw new WorkerException(
                ErrorReason.PromptTooLong,
                $"The prompt has {job.PromptTokens.Length} tokens but a sequence holds {ContextLength} (prompt plus at least one generated token).")
            {
                PromptTokens = job.PromptTokens.Length,
                ContextLength = ContextLength,
            };
        }

        // Registered before the job is visible to the loop, which disposes it when the job ends.
        job.Registration = job.CancellationToken.Register(static state => ((AutoResetEvent)state!).Set(), _wake);
        try
        {
            lock (_gate)
            {
                if (_stopping)
                {
                    throw new WorkerException(ErrorReason.ModelUnloading, "The model is being unloaded.");
                }

                if (ActiveSequences + _queue.Count >= Capacity + _settings.QueueLimit)
                {
                    throw new WorkerException(ErrorReason.QueueFull,
                        $"The model is busy: {Capacity} sequences are generating and {_queue.Count} requests are waiting (limit {_settings.QueueLimit}).");
                }

                _queue.AddLast(job);
            }
        }
        catch
        {
            job.Registration.Dispose();
            throw;
        }

        _wake.Set();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
        }

        _wake.Set();
        _thread.Join();
        _batch.Dispose();
        _wake.Dispose();
        if (_threadpool is not null)
        {
            NativeMethods.llama_detach_threadpool(_context);
            _threadpool.Dispose();
        }
    }

    /// <summary>
    /// Creates the compute pool on a throwaway thread: ggml raises the creating thread to the pool's priority, and
    /// neither a .NET pool thread nor the decode loop should run SCHED_FIFO. Measured on 2 cores: raised ggml workers
    /// with a normal decode thread gave ~4x the decode speed; raising the decode thread too halved it again.
    /// </summary>
    private void AttachThreadpool()
    {
        var creator = new Thread(() => _threadpool = SafeGgmlThreadpoolHandle.Create(_settings.Threads, _settings.Poll, _settings.Priority))
        {
            IsBackground = true,
            Name = "ggml-threadpool-init",
        };
        creator.Start();
        creator.Join();
        if (_threadpool is not null)
        {
            NativeMethods.llama_attach_threadpool(_context, _threadpool, _threadpool);
        }
    }

    private void Run()
    {
        while (!_stopping)
        {
            try
            {
                Admit();
                if (ActiveSequences == 0)
                {
                    _wake.WaitOne();
                    continue;
                }

                FinishCancelled();
                if (!BuildBatch())
                {
                    continue;
                }

                var rc = NativeMethods.llama_decode(_context, _batch.Value);
                if (rc != 0)
                {
                    FailBatch(rc);
                    continue;
                }

                SampleOutputs();
            }
            catch (Exception ex)
            {
                LogLoopFailure(_logger, ex);
                foreach (var slot in _slots.Where(s => !s.IsFree))
                {
                    Fail(slot, new WorkerException(ErrorReason.EngineFailed, "Generation failed inside the worker."));
                }
            }
        }

        var unloaded = new WorkerException(ErrorReason.ModelUnloading, "The model was unloaded.");
        foreach (var slot in _slots.Where(s => !s.IsFree))
        {
            Fail(slot, unloaded);
        }

        lock (_gate)
        {
            foreach (var job in _queue)
            {
                job.Complete(unloaded);
            }

            _queue.Clear();
        }
    }

    /// <summary>Moves waiting jobs into free slots, preferring the slot that already holds most of the prompt.</summary>
    private void Admit()
    {
        while (true)
        {
            GenerationJob? job;
            lock (_gate)
            {
                for (var node = _queue.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.CancellationToken.IsCancellationRequested)
                    {
                        _queue.Remove(node);
                        Complete(node.Value, string.Empty, Result(node.Value, FinishReason.Cancelled, null));
                    }

                    node = next;
                }

                if (_queue.First is null || _slots.All(s => !s.IsFree))
                {
                    return;
                }

                job = _queue.First.Value;
                _queue.RemoveFirst();
                Interlocked.Increment(ref _active);
            }

            var slot = ChooseSlot(job);
            var reused = slot.CommonPrefix(job.PromptTokens);
            NativeMethods.llama_memory_seq_rm(_memory, slot.SequenceId, reused, -1);
            try
            {
                slot.Start(job, reused, SamplerFactory.Create(job.Sampling, _vocabulary.TokenCount), new TokenTextDecoder(_vocabulary));
            }
            catch (Exception ex)
            {
                Interlocked.Decrement(ref _active);
                LogLoopFailure(_logger, ex);
                job.Complete(new WorkerException(ErrorReason.EngineFailed, "The sampler could not be created."));
            }
        }
    }

    private SequenceSlot ChooseSlot(GenerationJob job)
    {
        var free = _slots.Where(s => s.IsFree).ToArray();
        return free.FirstOrDefault(s => job.CacheKey is not null && s.CacheKey == job.CacheKey)
            ?? free.OrderByDescending(s => s.CommonPrefix(job.PromptTokens)).ThenBy(s => s.LastUsed).First();
    }

    private void FinishCancelled()
    {
        foreach (var slot in _slots)
        {
            if (slot.Job is { CancellationToken.IsCancellationRequested: true })
            {
                Finish(slot, FinishReason.Cancelled);
            }
        }
    }

    /// <summary>Fills the batch: every generating sequence's pending token first, then prompt chunks within the budget.</summary>
    private bool BuildBatch()
    {
        _batch.Clear();
        var generating = 0;
        foreach (var slot in _slots)
        {
            if (slot.Job is null || slot.IsPrefilling || slot.PendingToken < 0)
            {
                continue;
            }

            if (slot.Position >= ContextLength)
            {
                Finish(slot, FinishReason.ContextFull);
                continue;
            }

            slot.BatchIndex = _batch.Add(slot.PendingToken, slot.Position, slot.SequenceId, wantLogits: true);
            slot.CachedTokens.Add(slot.PendingToken);
            slot.PendingToken = -1;
            generating++;
        }

        var chunkLimit = generating > 0 ? _prefillChunk : BatchSize;
        for (var k = 0; k < _slots.Length && _batch.Count < BatchSize; k++)
        {
            var slot = _slots[(_nextPrefill + k) % _slots.Length];
            if (!slot.IsPrefilling)
            {
                continue;
            }

            var prompt = slot.Job!.PromptTokens;
            var take = Math.Min(Math.Min(prompt.Length - slot.PrefillOffset, BatchSize - _batch.Count), chunkLimit);
            for (var i = 0; i < take; i++)
            {
                var last = slot.PrefillOffset == prompt.Length - 1;
                var index = _batch.Add(prompt[slot.PrefillOffset], slot.Position, slot.SequenceId, wantLogits: last);
                slot.CachedTokens.Add(prompt[slot.PrefillOffset]);
                slot.PrefillOffset++;
                if (last)
                {
                    slot.BatchIndex = index;
                }
            }
        }

        _nextPrefill = (_nextPrefill + 1) % _slots.Length;
        return _batch.Count > 0;
    }

    private void SampleOutputs()
    {
        foreach (var slot in _slots)
        {
            if (slot.Job is not { } job || slot.BatchIndex < 0)
            {
                continue;
            }

            var token = NativeMethods.llama_sampler_sample(slot.Sampler!, _context, slot.BatchIndex);
            slot.BatchIndex = -1;
            if (slot.FirstTokenAt == 0)
            {
                slot.FirstTokenAt = Stopwatch.GetTimestamp();
            }

            slot.Completion++;
            if (_vocabulary.IsEndOfGeneration(token))
            {
                Finish(slot, FinishReason.Stop);
                continue;
            }

            var text = slot.Stops!.Push(slot.Text!.Append(token));
            if (slot.Stops.Stopped)
            {
                Finish(slot, FinishReason.Stop, text);
                continue;
            }

            if (slot.Completion >= job.MaxTokens)
            {
                Finish(slot, FinishReason.Length, text);
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
        if (slot.LastSentAt != 0 && Stopwatch.GetElapsedTime(slot.LastSentAt, now) < _settings.StreamInterval)
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

    private void FailBatch(int rc)
    {
        LogDecodeFailed(_logger, rc);
        foreach (var slot in _slots)
        {
            if (slot.Job is null || slot.BatchIndex < 0 && !slot.IsPrefilling)
            {
                continue;
            }

            // 1: no KV cell left for the batch. Other codes are errors; either way the touched sequences are cleared.
            if (rc == 1)
            {
                Finish(slot, FinishReason.ContextFull);
            }
            else
            {
                Fail(slot, new WorkerException(ErrorReason.EngineFailed, $"llama_decode failed ({rc})."));
            }
        }
    }

    /// <summary>Ends a slot's job: sends the held-back text and the result; keeps the KV cells for the next turn unless cancelled or full.</summary>
    private void Finish(SequenceSlot slot, FinishReason reason, string text = "")
    {
        var job = slot.Job!;
        if (reason is not FinishReason.Cancelled && !slot.Stops!.Stopped)
        {
            text += slot.Stops.Push(slot.Text!.Flush()) + slot.Stops.Flush();
        }

        text = slot.Unsent + text;

        var keep = reason is FinishReason.Stop or FinishReason.Length;
        Complete(job, text, Result(job, reason, slot));
        Release(slot, keep);
    }

    private void Fail(SequenceSlot slot, WorkerException error)
    {
        slot.Job!.Complete(error);
        Release(slot, keepCache: false);
    }

    private void Release(SequenceSlot slot, bool keepCache)
    {
        if (!keepCache)
        {
            NativeMethods.llama_memory_seq_rm(_memory, slot.SequenceId, -1, -1);
        }

        slot.Finish(keepCache);
        Interlocked.Decrement(ref _active);
    }

    private static void Complete(GenerationJob job, string text, GenerationResult result)
    {
        job.Write(new GenerationUpdate(text, result));
        job.Complete();
    }

    private static GenerationResult Result(GenerationJob job, FinishReason reason, SequenceSlot? slot)
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

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "The decode loop failed; its sequences were ended")]
    private static partial void LogLoopFailure(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "llama_decode returned {Code}; the sequences in that batch were ended")]
    private static partial void LogDecodeFailed(ILogger logger, int code);
}
