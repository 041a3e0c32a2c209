using Distributed.InferenceWorker.Services;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>The readiness check behind grpc.health.v1: healthy only between the end of preloading and draining.</summary>
public class WorkerReadinessHealthCheckTests
{
    private WorkerReadiness _readiness = null!;

    [SetUp]
    public void NewReadiness() => _readiness = new WorkerReadiness();

    [Test]
    public async Task CheckHealthAsync_BeforeMarkPreloaded_UnhealthyStarting()
    {
        var result = await CheckAsync();

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(result.Description, Is.EqualTo("starting"));
        Assert.That(_readiness.IsReady, Is.False);
    }

    [Test]
    public async Task CheckHealthAsync_AfterMarkPreloaded_Healthy()
    {
        _readiness.MarkPreloaded();

        var result = await CheckAsync();

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(_readiness.IsReady, Is.True);
    }

    [Test]
    public async Task CheckHealthAsync_AfterMarkDraining_UnhealthyDraining()
    {
        _readiness.MarkPreloaded();
        _readiness.MarkDraining();

        var result = await CheckAsync();

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(result.Description, Is.EqualTo("draining"));
        Assert.That(_readiness.IsReady, Is.False);
    }

    [Test]
    public async Task CheckHealthAsync_DrainingBeforePreloaded_UnhealthyDraining()
    {
        _readiness.MarkDraining();
        _readiness.MarkPreloaded();

        var result = await CheckAsync();

        Assert.That(result.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(result.Description, Is.EqualTo("draining"));
    }

    private Task<HealthCheckResult> CheckAsync()
    {
        var check = new WorkerReadinessHealthCheck(_readiness);
        var context = new HealthCheckContext
        {
            Registration = new HealthCheckRegistration(WorkerReadinessHealthCheck.Name, check, HealthStatus.Unhealthy, tags: null),
        };
        return check.CheckHealthAsync(context);
    }
}
