using System.Text.Json;
using Distributed.Contracts;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Distributed.InferenceWorker.Tests.Interop;

/// <summary>
/// Our generated client (Grpc.Net.Client) against a second, independent gRPC implementation: a fake Inference
/// service on grpc-js (tests/interop/server.js, loading the same inference.proto). The fake scripts Generate from the
/// request: max_tokens deltas, and a JSON prompt for delays, failures and hanging; cache_key names the call in the
/// events the server prints.
/// </summary>
[TestFixture]
public sealed class GrpcJsServerTests
{
    private NodeProcess _server = null!;
    private GrpcChannel _channel = null!;
    private Inference.InferenceClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        await NodeProcess.EnsurePackagesAsync();
        _server = NodeProcess.Start("server.js");
        var listening = await _server.WaitForEventAsync("listening");
        _channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{listening.GetProperty("port").GetInt32()}"));
        _client = new Inference.InferenceClient(_channel);
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _channel?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Test]
    public async Task Generate_GrpcJsServer_StreamsDeltasInOrderThenFinalReply()
    {
        var outcome = await _client.RunAsync(Request("cs-stream", replies: 20, new { delayMs = 1 }), Bounded());

        Assert.That(outcome.Deltas.SkipLast(1), Is.EqualTo(Enumerable.Range(0, 20).Select(i => $"token{i} ")));
        Assert.That(outcome.Final.Delta, Is.Empty);
        Assert.That(outcome.Final.FinishReason, Is.EqualTo(FinishReason.Length));
        Assert.That(outcome.Final.Usage.CompletionTokens, Is.EqualTo(20));
    }

    [Test]
    public async Task Generate_RequestMetadata_ReachesGrpcJsServer()
    {
        const string id = "cs-headers";
        var headers = new Metadata { { InferenceHeaders.Model, "fake" }, { InferenceHeaders.CacheKey, id } };

        await _client.RunAsync(Request(id, replies: 1), new CallOptions(headers, DateTime.UtcNow.AddSeconds(15)));

        var started = await _server.WaitForEventAsync("started", id);
        var seen = started.GetProperty("headers");
        Assert.Multiple(() =>
        {
            Assert.That(started.GetProperty("model").GetString(), Is.EqualTo("fake"));
            Assert.That(seen.GetProperty(InferenceHeaders.Model).GetString(), Is.EqualTo("fake"));
            Assert.That(seen.GetProperty(InferenceHeaders.CacheKey).GetString(), Is.EqualTo(id));
            Assert.That(seen.GetProperty("user-agent").GetString(), Does.StartWith("grpc-dotnet/"));
        });
    }

    [Test]
    public async Task ListModels_GrpcJsServer_ReturnsItsModels()
    {
        var reply = await _client.ListModelsAsync(new ListModelsRequest(), Bounded()).ResponseAsync;

        Assert.That(reply.Models.Select(m => m.Name), Is.EqualTo(new[] { "fake" }));
        Assert.That(reply.Models[0].Aliases, Is.EqualTo(new[] { "fake-alias" }));
    }

    [Test]
    public void LoadModel_ErrorStatusWithNonAsciiMessage_ClientDecodesIt()
    {
        const string name = "modèle-inconnu ✓ 100% \"quoted\"";

        var error = Assert.ThrowsAsync<RpcException>(() => _client.LoadModelAsync(new LoadModelRequest { Name = name }, Bounded()).ResponseAsync);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(error.Status.Detail, Is.EqualTo($"model '{name}' not found"));
    }

    [Test]
    public void Generate_StreamFailsAfterTwoReplies_YieldsTwoRepliesThenRpcException()
    {
        const string message = "aborted by grpc-js ✗";
        var received = new List<string>();

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = _client.Generate(Request("cs-fail", replies: 2, new { failCode = (int)StatusCode.Aborted, failMessage = message }), Bounded());
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                received.Add(reply.Delta);
            }
        });

        Assert.That(received, Is.EqualTo(new[] { "token0 ", "token1 " }));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Aborted));
        Assert.That(error.Status.Detail, Is.EqualTo(message));
    }

    [Test]
    public async Task Generate_DeadlinePasses_DeadlineExceededAndServerSawDeadlineAndCancellation()
    {
        const string id = "cs-deadline";

        var error = Assert.ThrowsAsync<RpcException>(() =>
            _client.RunAsync(Request(id, replies: 0, new { hang = true }), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(1))));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        var started = await _server.WaitForEventAsync("started", id);
        Assert.That(started.GetProperty("hasDeadline").GetBoolean(), Is.True, "grpc-timeout reached the server");
        Assert.That(started.GetProperty("deadlineInMs").GetDouble(), Is.InRange(0, 1100));
        await _server.WaitForEventAsync("cancelled", id);
    }

    [Test]
    public async Task Generate_TokenCancelled_CancelledAndServerSawIt()
    {
        const string id = "cs-cancel";
        using var cts = new CancellationTokenSource();
        using var call = _client.Generate(Request(id, replies: 0, new { hang = true }), new CallOptions(cancellationToken: cts.Token));
        var reading = call.ResponseStream.MoveNext(CancellationToken.None);

        var started = await _server.WaitForEventAsync("started", id);
        await cts.CancelAsync();

        var error = Assert.ThrowsAsync<RpcException>(async () => await reading.WaitAsync(TimeSpan.FromSeconds(15)));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(started.GetProperty("hasDeadline").GetBoolean(), Is.False);
        await _server.WaitForEventAsync("cancelled", id);
    }

    [Test]
    public void UnloadModel_NotImplementedByGrpcJsServer_Unimplemented()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => _client.UnloadModelAsync(new UnloadModelRequest { Name = "fake" }, Bounded()).ResponseAsync);

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public async Task ManyConcurrentCalls_GrpcJsServer_AllSucceed()
    {
        var unary = Enumerable.Range(0, 100).Select(async i =>
        {
            var reply = await _client.LoadModelAsync(new LoadModelRequest { Name = $"fake-{i}" }, Bounded()).ResponseAsync;
            return reply.Message == $"fake-{i} model is ready to use.";
        });
        var streams = Enumerable.Range(0, 10).Select(async i =>
        {
            var outcome = await _client.RunAsync(Request($"cs-many-{i}", replies: 10, new { delayMs = 1 }), Bounded());
            return outcome.Deltas.SkipLast(1).SequenceEqual(Enumerable.Range(0, 10).Select(n => $"token{n} "))
                && outcome.Final.Usage.CompletionTokens == 10;
        });

        var results = await Task.WhenAll(unary.Concat(streams)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(results, Has.Length.EqualTo(110).And.All.True);
    }

    private static GenerateRequest Request(string id, int replies, object? script = null) => new()
    {
        Model = "fake",
        Prompt = script is null ? "hello" : JsonSerializer.Serialize(script),
        Sampling = new SamplingParams { MaxTokens = replies },
        CacheKey = id,
    };

    private static CallOptions Bounded() => new(deadline: DateTime.UtcNow.AddSeconds(15));
}
