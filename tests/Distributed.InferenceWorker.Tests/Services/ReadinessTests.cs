using System.Reflection;
using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Models;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>
/// grpc.health.v1 end to end: a worker that preloads a model answers NOT_SERVING until that model is resident.
/// The preload is held deterministically: the test takes <see cref="ModelManager"/>'s one-native-load-at-a-time
/// semaphore before the host starts, so the load cannot finish until the test lets it go.
/// </summary>
public class ReadinessTests
{
    private const string Stories = "stories260K";

    [Test]
    public async Task HealthCheck_WhilePreloading_NotServingUntilModelLoaded()
    {
        var gate = new NativeLoadGate();
        var settings = new Dictionary<string, string?> { ["Worker:Preload:0"] = Stories };
        await using var worker = await WorkerHost.StartAsync(settings, services => gate.Hold(services.GetRequiredService<ModelManager>()));
        try
        {
            var health = new Health.HealthClient(worker.Channel);

            // The load is stuck behind the gate: not serving, whole server and contract alike, and nothing resident.
            Assert.That(await CheckAsync(health, string.Empty), Is.EqualTo(ServingStatus.NotServing));
            Assert.That(await CheckAsync(health, Inference.Descriptor.FullName), Is.EqualTo(ServingStatus.NotServing));
            Assert.That((await worker.Client.StatusAsync()).Loaded, Is.Empty);

            gate.Release();

            // Serving comes only once the preloaded model is resident.
            await WaitForServingAsync(health);
            var status = await worker.Client.StatusAsync();
            Assert.That(status.Loaded.Select(m => m.Name), Does.Contain(Stories));
            Assert.That(await CheckAsync(health, Inference.Descriptor.FullName), Is.EqualTo(ServingStatus.Serving));
        }
        finally
        {
            gate.Release();
        }
    }

    [Test]
    public async Task HealthCheck_PreloadListsUnknownModel_ServingWithoutIt()
    {
        var settings = new Dictionary<string, string?> { ["Worker:Preload:0"] = "gpt-9", ["Worker:Preload:1"] = Stories };
        await using var worker = await WorkerHost.StartAsync(settings);
        var health = new Health.HealthClient(worker.Channel);

        await WaitForServingAsync(health);

        var status = await worker.Client.StatusAsync();
        Assert.That(status.Loaded.Select(m => m.Name), Is.EqualTo(new[] { Stories }));
    }

    private static async Task<ServingStatus> CheckAsync(Health.HealthClient health, string service) =>
        (await health.CheckAsync(new HealthCheckRequest { Service = service }, deadline: DateTime.UtcNow.AddSeconds(10))).Status;

    /// <summary>Polls Check (bounded) until SERVING.</summary>
    private static async Task WaitForServingAsync(Health.HealthClient health)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await CheckAsync(health, string.Empty) != ServingStatus.Serving)
        {
            await Task.Delay(20, cts.Token);
        }
    }

    /// <summary>Holds <see cref="ModelManager"/>'s native-load semaphore, so loads wait until <see cref="Release"/>.</summary>
    private sealed class NativeLoadGate
    {
        private SemaphoreSlim? _held;

        public void Hold(ModelManager models)
        {
            var field = typeof(ModelManager).GetField("_nativeLoad", BindingFlags.Instance | BindingFlags.NonPublic);
            Assert.That(field?.GetValue(models), Is.InstanceOf<SemaphoreSlim>(), "ModelManager serializes native loads with a SemaphoreSlim _nativeLoad");
            var semaphore = (SemaphoreSlim)field!.GetValue(models)!;
            Assert.That(semaphore.Wait(TimeSpan.FromSeconds(10)), Is.True);
            _held = semaphore;
        }

        public void Release() => Interlocked.Exchange(ref _held, null)?.Release();
    }
}
