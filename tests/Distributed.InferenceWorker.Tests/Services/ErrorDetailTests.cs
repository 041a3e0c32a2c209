using Distributed.Contracts.Inference.V1;
using Google.Rpc;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>
/// Failed calls carry a google.rpc.Status (trailer grpc-status-details-bin) whose detail is an <see cref="ErrorDetail"/>,
/// read here the way callers do: <c>GetRpcStatus()</c> and <c>GetDetail&lt;ErrorDetail&gt;()</c> (Grpc.StatusProto).
/// One sequence and a one-request queue, so the queue is easy to fill.
/// </summary>
public class ErrorDetailTests
{
    private const string Stories = "stories260K";
    private WorkerHost _worker = null!;

    private Inference.InferenceClient Client => _worker.Client;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync(new Dictionary<string, string?>
    {
        ["Worker:ParallelSequences"] = "1",
        ["Worker:QueueLimit"] = "1",
    });

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public void Generate_PromptTooLong_InvalidArgumentWithTokenCounts()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("the little dog ran to the park", 200));

        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(GenerationClient.Prompt(Stories, prompt, 10), Bounded()));

        var detail = DetailOf(error!);
        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(error.GetRpcStatus()!.Code, Is.EqualTo((int)StatusCode.InvalidArgument));
            Assert.That(error.GetRpcStatus()!.Message, Is.EqualTo(error.Status.Detail));
            Assert.That(detail.Reason, Is.EqualTo(ErrorReason.PromptTooLong));
            Assert.That(detail.ContextLength, Is.EqualTo(512));
            Assert.That(detail.PromptTokens, Is.GreaterThan(512));
            Assert.That(error.Status.Detail, Does.Contain($"prompt has {detail.PromptTokens} tokens"));
        });
    }

    [Test]
    public void Generate_UnknownModel_NotFoundWithModelNotFound()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(GenerationClient.Prompt("gpt-9", "hello", 5), Bounded()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(DetailOf(error).Reason, Is.EqualTo(ErrorReason.ModelNotFound));
    }

    [Test]
    public void LoadModel_UnknownModel_NotFoundWithModelNotFound()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => Client.LoadModelAsync(new LoadModelRequest { Name = "gpt-9" }, Bounded()).ResponseAsync);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(DetailOf(error).Reason, Is.EqualTo(ErrorReason.ModelNotFound));
    }

    [Test]
    public async Task Generate_QueueFull_ResourceExhaustedWithQueueFull()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var options = new CallOptions(cancellationToken: cts.Token);
        // Generations of the long model run for seconds, so the slot and the queue stay taken until cancelled.
        var running = Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), options);
        var queued = Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "b", 100_000, temperature: 1f), options);
        await Client.WaitForStatusAsync(s => s.ActiveSequences == 1 && s.QueuedSequences == 1);

        var error = Assert.ThrowsAsync<RpcException>(() => Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "c", 5), Bounded()));

        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await running);
        Assert.ThrowsAsync<RpcException>(async () => await queued);
        await Client.WaitForStatusAsync(s => s.ActiveSequences == 0 && s.QueuedSequences == 0);
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        Assert.That(DetailOf(error).Reason, Is.EqualTo(ErrorReason.QueueFull));
    }

    private static ErrorDetail DetailOf(RpcException error)
    {
        var status = error.GetRpcStatus();
        Assert.That(status, Is.Not.Null, "the failure carries a grpc-status-details-bin trailer");
        var detail = status!.GetDetail<ErrorDetail>();
        Assert.That(detail, Is.Not.Null, "the google.rpc.Status carries an ErrorDetail");
        return detail!;
    }

    private static CallOptions Bounded() => new(deadline: DateTime.UtcNow.AddSeconds(30));
}
