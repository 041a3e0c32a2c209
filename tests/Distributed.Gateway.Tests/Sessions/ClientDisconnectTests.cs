using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Distributed.Contracts.Inference.V1;
using Grpc.Net.Client;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>
/// A client that goes away mid-stream cancels the worker's generation (its sequence is freed, as the worker's own
/// GetStatus shows), and a cancelled answer stores no turn at all; the conversation is usable again at once.
/// </summary>
[TestFixture]
public sealed class ClientDisconnectTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;
    private GrpcChannel _channel = null!;
    private Inference.InferenceClient _worker = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient(TestKeys.Alice);
        _channel = GrpcChannel.ForAddress(_env.Worker.Address);
        _worker = new Inference.InferenceClient(_channel);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _client.Dispose();
        _channel.Dispose();
    }

    [Test]
    public async Task StreamQuery_ClientDisconnectsAfterTheFirstDelta_WorkerSequenceIsFreedAndNoTurnIsStored()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        await Wait.UntilAsync(async () => (await ActiveSequencesAsync()) == 0, TimeSpan.FromSeconds(30), "the worker to be idle");
        var request = new HttpRequestMessage(HttpMethod.Post, GatewayApi.QueryPath(session, conversation))
        {
            // As long an answer as the context allows: the worker is still generating when the client leaves.
            Content = GatewayApi.Json(new { query = "Once upon a time", max_tokens = 2048, temperature = 1.0 }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var elapsed = Stopwatch.StartNew();
        // A client of its own that drops the connection when the response is disposed: the default handler would
        // first read the rest of the stream to reuse the connection, and the answer would complete normally.
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0 };
        using var leaving = new HttpClient(handler) { BaseAddress = _env.Gateway.BaseAddress };
        leaving.DefaultRequestHeaders.Add("x-api-key", TestKeys.Alice);

        var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && line != "event: delta")
        {
        }

        var activeWhileStreaming = await ActiveSequencesAsync();
        response.Dispose();
        leaving.Dispose();

        await Wait.UntilAsync(async () => (await ActiveSequencesAsync()) == 0, TimeSpan.FromSeconds(30), "the worker's active sequences to return to 0");
        TestContext.Out.WriteLine($"first delta and disconnect after {elapsed.ElapsedMilliseconds} ms; active while streaming: {activeWhileStreaming}");
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty, "a cancelled answer stores neither turn");
        Assert.That(await _env.Inspector.KeysAsync($"{_env.Gateway.KeyPrefix}*:conversation:{conversation}:*"), Is.Empty, "no messages, no lock left behind");

        // The conversation is free again: the next query is answered and stored.
        var answer = await _client.QueryAsync(session, conversation, new { query = "The end", max_tokens = 4 });
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[] { new Turn("user", "The end"), new Turn("bot", answer) }));

        // Whether the real model was still generating at the first delta depends on the machine's speed: on one fast
        // enough to finish first there was nothing to cancel, and only this last check is inconclusive (the FakeWorker
        // test below is the deterministic one for the cancellation itself).
        Assume.That(activeWhileStreaming, Is.EqualTo(1), "the generation was still running when the client left");
    }

    [Test]
    public async Task StreamQuery_ClientDisconnectsFromASlowModel_TheWorkerCallIsCancelledLongBeforeItWouldEnd()
    {
        // A scripted model taking 10 s for its answer, so the client certainly leaves while it is still answering.
        await using var model = await FakeWorker.StartAsync(FakeGenerate.Script);
        model.Script = [.. Enumerable.Range(0, 200).Select(i => $"Sentence {i}.\n")];
        model.ScriptDelay = TimeSpan.FromMilliseconds(50);
        await using var gateway = await GatewayHost.StartAsync(_env.Redis, [model.Address]);
        await gateway.WaitUntilReadyAsync();
        using var client = gateway.CreateClient(TestKeys.Alice);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0 };
        using var leaving = new HttpClient(handler) { BaseAddress = gateway.BaseAddress };
        leaving.DefaultRequestHeaders.Add("x-api-key", TestKeys.Alice);
        var request = new HttpRequestMessage(HttpMethod.Post, GatewayApi.QueryPath(session, conversation)) { Content = GatewayApi.Json(new { query = "Go on" }) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        var response = await leaving.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.That(await reader.ReadLineAsync(), Is.EqualTo("event: delta"));
        response.Dispose();
        leaving.Dispose();

        // Counted only when the call is cancelled mid-script (an answer that ran to its end is not).
        await Wait.UntilAsync(() => Task.FromResult(model.CancelledCalls == 1), TimeSpan.FromSeconds(5), "the worker's Generate call to be cancelled");
        Assert.That(await client.GetTurnsAsync(session, conversation), Is.Empty, "a cancelled answer stores neither turn");
        Assert.That(await _env.Inspector.KeysAsync($"{gateway.KeyPrefix}*:conversation:{conversation}:*"), Is.Empty, "no messages, no lock left behind");
    }

    [Test]
    public async Task Query_ClientCancelsANonStreamingQuery_WorkerSequenceIsFreedAndNoTurnIsStored()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        await Wait.UntilAsync(async () => (await ActiveSequencesAsync()) == 0, TimeSpan.FromSeconds(30), "the worker to be idle");
        using var cancel = new CancellationTokenSource();

        var query = _client.PostAsync(GatewayApi.QueryPath(session, conversation), GatewayApi.Json(new { query = "Once upon a time", max_tokens = 2048, temperature = 1.0 }), cancel.Token);
        await Wait.UntilAsync(async () => query.IsCompleted || (await ActiveSequencesAsync()) > 0, TimeSpan.FromSeconds(30), "the generation to start");
        await cancel.CancelAsync();

        Assert.That(async () => await query, Throws.InstanceOf<OperationCanceledException>(), "cancelled before the answer was complete");
        await Wait.UntilAsync(async () => (await ActiveSequencesAsync()) == 0, TimeSpan.FromSeconds(30), "the worker's active sequences to return to 0");
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
    }

    private async Task<int> ActiveSequencesAsync()
    {
        var status = await _worker.GetStatusAsync(new GetStatusRequest(), deadline: DateTime.UtcNow.AddSeconds(5));
        return status.ActiveSequences + status.QueuedSequences;
    }
}
