namespace Distributed.Gateway.Tests.Support;

/// <summary>Hands the <see cref="FakeWorker"/> to its per-call gRPC service, which DI creates before the fake exists.</summary>
public sealed class FakeWorkerHolder
{
    public FakeWorker Worker { get; set; } = null!;
}
