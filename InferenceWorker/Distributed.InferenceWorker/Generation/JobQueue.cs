using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Services;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// The admission queue of one engine: jobs wait here in arrival order until a sequence slot is free; at most
/// capacity + limit jobs are taken at once (running plus waiting), then RESOURCE_EXHAUSTED.
/// </summary>
internal sealed class JobQueue(int capacity, int limit)
{
    private readonly LinkedList<GenerationJob> _jobs = new();
    private readonly Lock _gate = new();
    private bool _closed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _jobs.Count;
            }
        }
    }

    /// <param name="running">Jobs holding a slot now (counted under the queue's lock, so the bound is exact).</param>
    public void Add(GenerationJob job, Func<int> running)
    {
        lock (_gate)
        {
            if (_closed)
            {
                throw new WorkerException(ErrorReason.ModelUnloading, "The model is being unloaded.");
            }

            if (running() + _jobs.Count >= capacity + limit)
            {
                throw new WorkerException(ErrorReason.QueueFull,
                    $"The model is busy: {capacity} sequences are generating and {_jobs.Count} requests are waiting (limit {limit}).");
            }

            _jobs.AddLast(job);
        }
    }

    /// <summary>
    /// Removes cancelled jobs (handing each to <paramref name="cancelled"/>), then takes the oldest job when
    /// <paramref name="slotFree"/>; <paramref name="taken"/> runs under the lock, so the running count moves with it.
    /// </summary>
    public GenerationJob? TakeNext(bool slotFree, Action<GenerationJob> cancelled, Action taken)
    {
        List<GenerationJob>? gone = null;
        GenerationJob? next = null;
        lock (_gate)
        {
            for (var node = _jobs.First; node is not null;)
            {
                var following = node.Next;
                if (node.Value.CancellationToken.IsCancellationRequested)
                {
                    _jobs.Remove(node);
                    (gone ??= []).Add(node.Value);
                }

                node = following;
            }

            if (slotFree && _jobs.First is { } first)
            {
                next = first.Value;
                _jobs.RemoveFirst();
                taken();
            }
        }

        gone?.ForEach(cancelled);
        return next;
    }

    /// <summary>Refuses further jobs and returns the waiting ones, for the engine to fail.</summary>
    public List<GenerationJob> Close()
    {
        lock (_gate)
        {
            _closed = true;
            var waiting = _jobs.ToList();
            _jobs.Clear();
            return waiting;
        }
    }
}
