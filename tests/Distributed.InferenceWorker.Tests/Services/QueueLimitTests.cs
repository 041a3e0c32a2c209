using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>One sequence and a one-request queue: the third concurrent request is refused, not left hanging.</summary>
public class QueueLimitTests
{
    private WorkerHost _worker = null!;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync(new Dictionary<string, string?>
    {
        ["Worker:ParallelSequences"] = "1",
        ["Worker:QueueLimit"] = "1",
    });

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public async Task Generate_QueueFull_ResourceExhaustedThenRecovers()
    {
        var channel = _worker.Client;
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(cancellationToken: cts.Token);
        // Generations of the long model run for seconds, so the slot and the queue stay taken until cancelled.
        var running = channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), options);
        var queued = channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "b", 100_000, temperature: 1f), options);
        await channel.WaitForStatusAsync(s => s.ActiveSequences == 1 && s.QueuedSequences == 1);

        var error = Assert.ThrowsAsync<RpcException>(() => channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "c", 5)));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(error.Status.Detail, Does.Contain("busy"));

        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await running);
        Assert.ThrowsAsync<RpcException>(async () => await queued);
        await channel.WaitForStatusAsync(s => s.ActiveSequences == 0 && s.QueuedSequences == 0);
        var after = await channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "d", 5));
        Assert.That(after.Final.Usage.CompletionTokens, Is.EqualTo(5));
    }
}
