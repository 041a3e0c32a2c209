using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>
/// Batching and context limits with both KV cache layouts (<c>Worker:KvUnified</c>): one cache shared by all sequences
/// (the default) and one stream per sequence. Either way each sequence holds its own context size, no more.
/// </summary>
[TestFixture(true)]
[TestFixture(false)]
public class KvCacheLayoutTests(bool unified)
{
    private const string Stories = "stories260K";
    private const string Random = "llama-2-tiny-random";
    private WorkerHost _worker = null!;

    private Inference.InferenceClient Client => _worker.Client;

    [OneTimeSetUp]
    public async Task StartWorker() =>
        _worker = await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:KvUnified"] = unified ? "true" : "false" });

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public async Task Generate_EightConcurrentOnFourSlots_EachMatchesItsSoloRun()
    {
        var prompts = new[]
        {
            "Once upon a time", "The little cat", "Tom and Lily went", "One day, a bird",
            "The sun was", "Sam had a red ball", "There was a big tree", "Mom said",
        };
        var requests = prompts.Select(p => GenerationClient.Prompt(Stories, p, 32)).ToArray();
        var solo = new List<string>();
        foreach (var request in requests)
        {
            solo.Add((await Client.RunAsync(request)).Text);
        }

        var together = await Task.WhenAll(requests.Select(r => Client.RunAsync(r)));
        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.That(together[i].Text, Is.EqualTo(solo[i]), $"prompt {i}: '{prompts[i]}'");
            Assert.That(together[i].Final.Usage.CompletionTokens, Is.EqualTo(32));
        }

        Assert.That(solo.Distinct().Count(), Is.GreaterThan(4), "different prompts give different stories");
    }

    [Test]
    public async Task Generate_RunsIntoContextEnd_ContextFullNotError()
    {
        // llama-2-tiny-random serves 256 tokens per sequence here (models.json), 4 sequences: a shared cache has 1024 cells.
        var outcome = await Client.RunAsync(GenerationClient.Prompt(Random, "hello world", 10_000));
        Assert.That(outcome.Final.FinishReason, Is.EqualTo(FinishReason.ContextFull));
        Assert.That(outcome.Final.Usage.PromptTokens + outcome.Final.Usage.CompletionTokens, Is.InRange(250, 257));
    }

    [Test]
    public async Task Generate_EverySequenceFillsItsContext_AllContextFull()
    {
        // Four sequences at once use every cell of the cache; none may take another's share.
        var prompts = new[] { "hello world", "good morning", "the cat", "a dog ran" };
        var outcomes = await Task.WhenAll(prompts.Select(p =>
            Client.RunAsync(GenerationClient.Prompt(Random, p, 10_000))));
        foreach (var outcome in outcomes)
        {
            Assert.That(outcome.Final.FinishReason, Is.EqualTo(FinishReason.ContextFull));
            Assert.That(outcome.Final.Usage.PromptTokens + outcome.Final.Usage.CompletionTokens, Is.InRange(250, 257));
        }
    }
}
