using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.Gateway.Workers;

/// <summary>A generation whose first reply has arrived; the rest is read from <see cref="Call"/>.</summary>
public sealed class GenerationStream(WorkerEndpoint worker, GenerateReply first, AsyncServerStreamingCall<GenerateReply> call, CancellationTokenSource timeouts) : IDisposable
{
    public WorkerEndpoint Worker { get; } = worker;

    public GenerateReply First { get; } = first;

    public AsyncServerStreamingCall<GenerateReply> Call { get; } = call;

    /// <summary>Cancels the call if it is still running (the worker frees the slot) and releases its resources.</summary>
    public void Dispose()
    {
        Call.Dispose();
        timeouts.Dispose();
        Worker.EndCall();
    }
}
