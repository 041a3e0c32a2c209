using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Native;
using Distributed.InferenceWorker.Services;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Continuous batching for one loaded model: a dedicated thread runs a decode loop that puts every active
/// sequence's next token and chunks of waiting prompts into one shared <c>llama_batch</c> per step. The parts:
/// <see cref="JobQueue"/> (admission), <see cref="SlotAssigner"/> (slots and their cached cells, with the host KV
/// tier), <see cref="BatchPlanner"/> (what each step decodes), <see cref="TokenSampler"/> (sampling and streaming)
/// and <see cref="SlotCompletion"/> (how a job ends).
/// </summary>
public sealed partial class GenerationEngine : IDisposable
{
    private readonly SafeLlamaContextHandle _context;
    private readonly SequenceSlot[] _slots;
    private readonly JobQueue _queue;
    private readonly AutoResetEvent _wake = new(false);
    private readonly SafeLlamaBatchHandle _batch;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly EngineSettings _settings;
    private readonly SlotAssigner _assigner;
    private readonly BatchPlanner _planner;
    private readonly TokenSampler _sampler;
    private readonly SlotCompletion _completion;
    private SafeGgmlThreadpoolHandle? _threadpool;
    private volatile bool _stopping;
    private int _active;

    public GenerationEngine(
        string name, SafeLlamaContextHandle context, LlamaVocabulary vocabulary, EngineSettings settings, HostKvCache? hostCache, ILogger logger)
    {
        _context = context;
        Vocabulary = vocabulary;
        _logger = logger;
        _settings = settings;
        var memory = NativeMethods.llama_get_memory(context);
        Capacity = (int)NativeMethods.llama_n_seq_max(context);
        ContextLength = Math.Min(settings.SequenceContext, (int)NativeMethods.llama_n_ctx_seq(context));
        BatchSize = (int)NativeMethods.llama_n_batch(context);
        _slots = Enumerable.Range(0, Capacity).Select(i => new SequenceSlot(i)).ToArray();
        _queue = new JobQueue(Capacity, settings.QueueLimit);
        _batch = SafeLlamaBatchHandle.Create(BatchSize);
        _completion = new SlotCompletion(memory, Transcripts, () => Interlocked.Decrement(ref _active));
        _assigner = new SlotAssigner(context, memory, _slots, name, hostCache, settings.Padding ?? PrefillPadding.None, logger);
        _planner = new BatchPlanner(_batch, BatchSize, ContextLength, _completion);
        _sampler = new TokenSampler(context, vocabulary, settings.StreamInterval, _completion);
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

    public int QueuedSequences => _queue.Count;

    /// <summary>
    /// KV cells the sequences hold (generating ones and kept conversations), out of <see cref="Capacity"/> x
    /// <see cref="ContextLength"/>. Read from other threads: each count is one int read, a step may be half counted.
    /// </summary>
    public long UsedCells => _slots.Sum(s => (long)s.Position);

    public LlamaVocabulary Vocabulary { get; }

    /// <summary>Each conversation's last turn, for the next turn's tokens (<see cref="PromptContinuation"/>).</summary>
    public TranscriptStore Transcripts { get; } = new();

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
            _queue.Add(job, () => ActiveSequences);
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
        _stopping = true;
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
                if (!_planner.Build(_slots))
                {
                    continue;
                }

                var rc = NativeMethods.llama_decode(_context, _batch.Value);
                if (rc != 0)
                {
                    FailBatch(rc);
                    continue;
                }

                _sampler.SampleOutputs(_slots);
            }
            catch (Exception ex)
            {
                LogLoopFailure(_logger, ex);
                foreach (var slot in _slots.Where(s => !s.IsFree))
                {
                    _completion.Fail(slot, new WorkerException(ErrorReason.EngineFailed, "Generation failed inside the worker."));
                }
            }
        }

        var unloaded = new WorkerException(ErrorReason.ModelUnloading, "The model was unloaded.");
        foreach (var slot in _slots.Where(s => !s.IsFree))
        {
            _completion.Fail(slot, unloaded);
        }

        foreach (var job in _queue.Close())
        {
            job.Complete(unloaded);
        }
    }

    /// <summary>Moves waiting jobs into free slots (see <see cref="SlotAssigner"/> for which slot).</summary>
    private void Admit()
    {
        while (_queue.TakeNext(
                   _slots.Any(s => s.IsFree),
                   cancelled => SlotCompletion.Complete(cancelled, string.Empty, SlotCompletion.Result(cancelled, FinishReason.Cancelled, null)),
                   () => Interlocked.Increment(ref _active)) is { } job)
        {
            try
            {
                var (slot, reused) = _assigner.Assign(job);
                slot.Start(job, reused, SamplerFactory.Create(job.Sampling, Vocabulary.TokenCount), new TokenTextDecoder(Vocabulary));
            }
            catch (Exception ex)
            {
                Interlocked.Decrement(ref _active);
                LogLoopFailure(_logger, ex);
                job.Complete(new WorkerException(ErrorReason.EngineFailed, "The sampler could not be created."));
            }
        }
    }

    private void FinishCancelled()
    {
        foreach (var slot in _slots)
        {
            if (slot.Job is { CancellationToken.IsCancellationRequested: true })
            {
                _completion.Finish(slot, FinishReason.Cancelled);
            }
        }
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
                _completion.Finish(slot, FinishReason.ContextFull);
            }
            else
            {
                _completion.Fail(slot, new WorkerException(ErrorReason.EngineFailed, $"llama_decode failed ({rc})."));
            }
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "The decode loop failed; its sequences were ended")]
    private static partial void LogLoopFailure(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "llama_decode returned {Code}; the sequences in that batch were ended")]
    private static partial void LogDecodeFailed(ILogger logger, int code);
}
