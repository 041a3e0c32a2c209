using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Models;

/// <summary>Residency budget: two models at most; the least recently used idle one goes first; a busy one never.</summary>
public class ModelLifecycleTests
{
    private WorkerHost _worker = null!;

    private Inference.InferenceClient Client => _worker.Client;

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
        foreach (var model in (await Client.StatusAsync()).Loaded)
        {
            await Client.UnloadModelAsync(new UnloadModelRequest { Name = model.Name }).ResponseAsync;
        }
    }

    [Test]
    public async Task LoadModel_OverBudget_LeastRecentlyUsedIdleModelUnloaded()
    {
        await Load("stories260K");
        await Load("llama-2-tiny-random");
        // Using stories makes the random model the least recently used.
        await Client.RunAsync(GenerationClient.Prompt("stories260K", "Once", 2));

        await Load(WorkerHost.LongModel);

        var loaded = (await Client.StatusAsync()).Loaded.Select(m => m.Name).ToArray();
        Assert.That(loaded, Is.EquivalentTo(new[] { "stories260K", WorkerHost.LongModel }));
    }

    [Test]
    public async Task LoadModel_EveryResidentModelBusy_ResourceExhaustedAndBusyModelsStay()
    {
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(cancellationToken: cts.Token);
        var first = Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), options);
        var second = Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModelB, "b", 100_000, temperature: 1f), options);
        await Client.WaitForStatusAsync(s => s.Loaded.Count == 2 && s.Loaded.All(m => m.ActiveSequences == 1));

        var error = Assert.ThrowsAsync<RpcException>(() => Load("stories260K"));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
        var loaded = (await Client.StatusAsync()).Loaded.Select(m => m.Name).ToArray();
        Assert.That(loaded, Is.EquivalentTo(new[] { WorkerHost.LongModel, WorkerHost.LongModelB }));

        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await first);
        Assert.ThrowsAsync<RpcException>(async () => await second);
        await Client.WaitForStatusAsync(s => s.ActiveSequences == 0);
        var reply = await Load("stories260K");
        Assert.That(reply.Model.Loaded, Is.True);
    }

    [Test]
    public async Task UnloadModel_Generating_FailedPrecondition()
    {
        using var cts = new CancellationTokenSource();
        var running = Client.RunAsync(GenerationClient.Prompt(WorkerHost.LongModel, "a", 100_000, temperature: 1f), new CallOptions(cancellationToken: cts.Token));
        await Client.WaitForStatusAsync(s => s.ActiveSequences == 1);

        var error = Assert.ThrowsAsync<RpcException>(() => Client.UnloadModelAsync(new UnloadModelRequest { Name = WorkerHost.LongModel }).ResponseAsync);
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));

        await cts.CancelAsync();
        Assert.ThrowsAsync<RpcException>(async () => await running);
        await Client.WaitForStatusAsync(s => s.ActiveSequences == 0);
    }

    private Task<LoadModelReply> Load(string name) => Client.LoadModelAsync(new LoadModelRequest { Name = name }).ResponseAsync;
}
