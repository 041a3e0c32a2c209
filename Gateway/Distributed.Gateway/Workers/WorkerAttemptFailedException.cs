using Grpc.Core;

namespace Distributed.Gateway.Workers;

/// <summary>One worker failed before streaming anything; the retry strategy tries another.</summary>
public sealed class WorkerAttemptFailedException(WorkerEndpoint worker, RpcException error)
    : Exception($"Worker {worker.Address} failed: {error.StatusCode} {error.Status.Detail}", error)
{
    public RpcException Error { get; } = error;
}
