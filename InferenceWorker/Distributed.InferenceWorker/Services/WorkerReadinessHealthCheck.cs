using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.InferenceWorker.Services;

/// <summary>Feeds grpc.health.v1 (Grpc.AspNetCore.HealthChecks): NOT_SERVING while preloading and while draining.</summary>
public sealed class WorkerReadinessHealthCheck(WorkerReadiness readiness) : IHealthCheck
{
    public const string Name = "worker";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(readiness.IsDraining
            ? HealthCheckResult.Unhealthy("draining")
            : readiness.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("starting"));
}
