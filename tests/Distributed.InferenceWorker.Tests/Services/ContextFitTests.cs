using Distributed.Contracts.Inference.V1;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>
/// fit_context on a model with a 256-token window: a history that does not fit loses old turns in a block, the
/// reply says how many messages were used, and the next turn keeps the same first message (and so its cache).
/// </summary>
[TestFixture]
public sealed class ContextFitTests
{
    private const string Random = "llama-2-tiny-random";
    private WorkerHost _worker = null!;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public async Task Generate_HistoryLongerThanTheWindow_DropsOldTurnsAndReportsIt()
    {
        var request = Fitted(NewKey(), History(turns: 30));

        var outcome = await _worker.Client.RunAsync(request);

        var fit = outcome.Final.Fit;
        Assert.That(fit, Is.Not.Null);
        Assert.That(fit.MessagesDropped, Is.GreaterThan(0));
        Assert.That(fit.MessagesUsed + fit.MessagesDropped, Is.EqualTo(request.Chat.Messages.Count));
        Assert.That(fit.FirstMessageKept % 2, Is.EqualTo(0), "kept history starts with a user message");
        Assert.That(outcome.Final.Usage.PromptTokens, Is.LessThanOrEqualTo(256 * 3 / 4));
    }

    [Test]
    public async Task Generate_NextTurnAfterABlockDrop_KeepsTheSameFirstMessageAndItsCache()
    {
        var key = NewKey();
        var history = History(turns: 30);
        var first = await _worker.Client.RunAsync(Fitted(key, history));

        var longer = history.Concat(new[] { ("assistant", first.Text.Trim()), ("user", "one more question") }).ToArray();
        var second = await _worker.Client.RunAsync(Fitted(key, longer));

        Assert.That(second.Final.Fit.FirstMessageKept, Is.EqualTo(first.Final.Fit.FirstMessageKept));
        Assert.That(second.Final.Usage.CachedTokens, Is.GreaterThanOrEqualTo(first.Final.Usage.PromptTokens));
    }

    [Test]
    public void Generate_WithoutFitContext_TooLongIsStillAnError()
    {
        var request = GenerationClient.Chat(Random, 8, History(turns: 30));

        var error = Assert.ThrowsAsync<Grpc.Core.RpcException>(() => _worker.Client.RunAsync(request));

        Assert.That(error!.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.InvalidArgument));
    }

    private static string NewKey() => Guid.NewGuid().ToString("D");

    private static GenerateRequest Fitted(string key, (string Role, string Content)[] messages)
    {
        var request = GenerationClient.Chat(Random, 8, messages);
        request.CacheKey = key;
        request.FitContext = true;
        return request;
    }

    private static (string Role, string Content)[] History(int turns) =>
    [
        ("system", "Be brief."),
        .. Enumerable.Range(0, turns).SelectMany(i => new[] { ("user", $"question number {i} about the weather"), ("assistant", $"answer number {i} is sunny") }),
        ("user", "the newest question"),
    ];
}
