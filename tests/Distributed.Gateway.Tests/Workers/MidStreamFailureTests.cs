using System.Net;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>
/// A worker that fails after streaming some text: a stream already under way ends with an in-band <c>error</c> event
/// (no retry: a token was already sent); a whole answer would be retried on another worker (MidAnswerRetryTests), but
/// there is none here, so it is a 502 ProblemDetails; and no half-written turn. The gateway's only worker is a
/// <see cref="FakeWorker"/> that sends one delta, then fails.
/// </summary>
[TestFixture]
public sealed class MidStreamFailureTests
{
    private SharedEnvironment _env = null!;
    private FakeWorker _worker = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _worker = await FakeWorker.StartAsync(FakeGenerate.FailAfterFirstDelta);
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_worker.Address]);
        await _gateway.WaitUntilReadyAsync();
        _client = _gateway.CreateClient();
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    [Test]
    public async Task StreamQuery_WorkerFailsAfterFirstDelta_SendsDeltaThenErrorEventAndStoresNothing()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var callsBefore = _worker.GenerateCalls;

        using var response = await _client.SendStreamingQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8 });

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var events = await GatewayApi.ReadEventsAsync(response);
        Assert.That(events.Select(e => e.Event).Distinct(), Is.EqualTo(new[] { "delta", "error" }));
        Assert.That(events[^1].Event, Is.EqualTo("error"));
        var sent = string.Concat(events.Where(e => e.Event == "delta").Select(e => e.Data.GetProperty("delta").GetString()));
        Assert.Multiple(() =>
        {
            // The output sanitizer releases whole words at once; what it still held when the worker failed is not sent.
            Assert.That(sent, Is.Not.Empty);
            Assert.That(FakeWorker.PartialDelta, Does.StartWith(sent));
            Assert.That(events[1].Data.GetProperty("status").GetInt32(), Is.EqualTo(502));
            Assert.That(_worker.GenerateCalls, Is.EqualTo(callsBefore + 1), "not retried after a token was streamed");
        });
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty, "no half-written turn");
    }

    [Test]
    public async Task Query_WorkerFailsAfterFirstDelta_Returns502AndStoresNothing()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "Once upon a time", max_tokens = 8 });

        await response.ExpectProblemAsync(HttpStatusCode.BadGateway);
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty, "no half-written turn");
        Assert.That(await _env.Inspector.KeysAsync($"{_gateway.KeyPrefix}*:conversation:{conversation:D}:lock"), Is.Empty, "the lock is released");
    }
}
