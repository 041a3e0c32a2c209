using Distributed.Contracts.Inference.V1;
using Distributed.Grpc;

namespace Distributed.InferenceWorker.Tests.Models;

/// <summary>Residency budget: two models at most; the least recently used idle one goes first; a busy one never.</summary>
public class ModelLifecycleTests
{
    private WorkerHost _worker = null!;

    private GrpcChannel Channel => _worker.Channel;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync(new Dictionary<string, string?>
    {
        ["Worker:MaxLoadedModels"] = "2",
    });

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [SetUp]
    public async Task UnloadAll()
    {
        foreach (var model in (await Channel.StatusAsync()).Loaded)
        {
            await Channel.UnaryAsync(InferenceMethods.UnloadModel, new UnloadModelRequest { Name = model.Name });
        }
    }

    [Test]
    public async Task LoadModel_OverBudget_LeastRecentlyUsedIdleModelUnloaded()
    {
        await Load("stories260K");
        await Load("llama-2-tiny-random");
        // Using stories makes the random model the least recently used.
        await Channel.RunAsync(GenerationClient.Prompt("stories260K", "Once", 2));

        await Load(WorkerHost.LongModel);

        var loaded = (await Channel.StatusAsync()).Loaded.Select(m => m.Name).ToArray();
        Assert.That(loaded, Is.EquivalentTo(new[] { "stories260K", WorkerHost.LongModel }));
    }

    [Test]
    public async Task LoadModel_EveryResidentModelBusy_ResourceExhaustedAndBusyModelsStay()
    {
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(CancellationToken: cts.Token);
        var first = Channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), options);
        var second = Channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModelB, "b", 100_000, temperature: 1f), options);
        await Channel.WaitForStatusAsync(s => s.Loaded.Count == 2 && s.Loaded.All(m => m.ActiveSequences == 1));

        var error = Assert.ThrowsAsync<RpcException>(() => Load("stories260K"));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        var loaded = (await Channel.StatusAsync()).Loaded.Select(m => m.Name).ToArray();
        Assert.That(loaded, Is.EquivalentTo(new[] { WorkerHost.LongModel, WorkerHost.LongModelB }));

        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await first);
        Assert.ThrowsAsync<RpcException>(async () => await second);
        await Channel.WaitForStatusAsync(s => s.ActiveSequences == 0);
        var reply = await Load("stories260K");
        Assert.That(reply.Model.Loaded, Is.True);
    }

    [Test]
    public async Task UnloadModel_Generating_FailedPrecondition()
    {
        using var cts = new CancellationTokenSource();
        var running = Channel.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), new CallOptions(CancellationToken: cts.Token));
        await Channel.WaitForStatusAsync(s => s.ActiveSequences == 1);

        var error = Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(InferenceMethods.UnloadModel, new UnloadModelRequest { Name = WorkerHost.LongModel }));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));

        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await running);
        await Channel.WaitForStatusAsync(s => s.ActiveSequences == 0);
    }

    private Task<LoadModelReply> Load(string name) => Channel.UnaryAsync(InferenceMethods.LoadModel, new LoadModelRequest { Name = name });
}
