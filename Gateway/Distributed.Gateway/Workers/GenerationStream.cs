using Distributed.Contracts.Inference.V1;

namespace Distributed.Gateway.Workers;

/// <summary>A generation whose first reply has arrived; the rest is read from <see cref="Rest"/>.</summary>
public sealed class GenerationStream(WorkerEndpoint worker, GenerateReply first, IAsyncEnumerator<GenerateReply> rest, CancellationTokenSource timeouts) : IAsyncDisposable
{
    public WorkerEndpoint Worker { get; } = worker;

    public GenerateReply First { get; } = first;

    public IAsyncEnumerator<GenerateReply> Rest { get; } = rest;

    public async ValueTask DisposeAsync()
    {
        await Rest.DisposeAsync();
        timeouts.Dispose();
    }
}
