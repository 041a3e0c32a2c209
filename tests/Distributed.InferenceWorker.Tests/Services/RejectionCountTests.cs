using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>
/// Calls refused because the queue is full are counted per model and in all (GetStatus) and logged rate-limited: one
/// line for a burst of refusals, not one per call (neither ours nor Grpc.AspNetCore's "Error status code ... raised").
/// </summary>
public class RejectionCountTests
{
    private const int Refused = 6;

    private readonly CapturingLoggerProvider _logs = new();
    private WorkerHost _worker = null!;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync(
        new Dictionary<string, string?>
        {
            ["Worker:ParallelSequences"] = "1",
            ["Worker:QueueLimit"] = "1",
        },
        logs: _logs);

    [OneTimeTearDown]
    public async Task StopWorker()
    {
        await _worker.DisposeAsync();
        _logs.Dispose();
    }

    [Test]
    public async Task Generate_QueueFull_CountsEveryRefusalAndLogsOneLine()
    {
        var client = _worker.Client;
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(cancellationToken: cts.Token);
        var running = client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), options);
        var queued = client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "b", 100_000, temperature: 1f), options);
        await client.WaitForStatusAsync(s => s.Loaded.Any(m => m.Name == WorkerHost.LongModel && m.ActiveSequences == 1 && m.QueuedSequences == 1));

        for (var i = 0; i < Refused; i++)
        {
            var error = Assert.ThrowsAsync<RpcException>(() => client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, $"c{i}", 5)));
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        }

        var status = await client.StatusAsync();
        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await running);
        Assert.ThrowsAsync<RpcException>(async () => await queued);

        var model = status.Loaded.Single(m => m.Name == WorkerHost.LongModel);
        var rejectionLines = _logs.Entries.Where(e => e.Contains("RejectionCounter", StringComparison.Ordinal)).ToArray();
        var perCallLines = _logs.Entries.Where(e => e.Contains("ResourceExhausted", StringComparison.Ordinal) || e.Contains("The model is busy", StringComparison.Ordinal)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(model.Rejected, Is.EqualTo(Refused), "refusals of the model");
            Assert.That(status.RejectedTotal, Is.EqualTo(Refused), "refusals in all");
            Assert.That(status.Loaded.Where(m => m.Name != WorkerHost.LongModel).Select(m => m.Rejected), Is.All.EqualTo(0), "other models");
            Assert.That(rejectionLines, Has.Length.EqualTo(1), string.Join("\n", rejectionLines));
            Assert.That(rejectionLines.FirstOrDefault(), Does.Contain("Warning").And.Contain("Model=" + WorkerHost.LongModel).And.Contain("Count=1"));
            Assert.That(perCallLines, Is.Empty, "no line per refused call");
        });
    }
}
