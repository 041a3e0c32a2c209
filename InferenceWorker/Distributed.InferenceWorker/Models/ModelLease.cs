namespace Distributed.InferenceWorker.Models;

/// <summary>Keeps a model resident while a request uses it.</summary>
public sealed class ModelLease(LoadedModel model) : IDisposable
{
    private int _released;

    public LoadedModel Model { get; } = model;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Model.ReleaseLease();
        }
    }
}
