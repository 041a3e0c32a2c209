namespace Distributed.InferenceWorker.Services;

/// <summary>Whether the worker takes new work: after llama.cpp is initialized and the preloads are done, until it starts draining.</summary>
public sealed class WorkerReadiness
{
    private volatile bool _preloaded;
    private volatile bool _draining;

    public bool IsReady => _preloaded && !_draining;

    public bool IsDraining => _draining;

    public void MarkPreloaded() => _preloaded = true;

    public void MarkDraining() => _draining = true;
}
