using System.Net;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>
/// A worker failing mid-answer: a whole (non-streamed) answer has shown the client nothing yet, so it is generated
/// again on another worker and stored once; a streamed one already sent text, so it ends with an error event and
/// stores nothing. Two workers: a <see cref="FakeWorker"/> that sends one delta and fails (routing prefers it: it
/// reports far more free capacity) and the real one.
/// </summary>
[TestFixture]
public sealed class MidAnswerRetryTests
{
    private SharedEnvironment _env = null!;
    private FakeWorker _failing = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _failing = await FakeWorker.StartAsync(FakeGenerate.FailAfterFirstDelta);
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_failing.Address, _env.Worker.Address], settings: new Dictionary<string, string?>
        {
            // Free capacity decides, not the conversation's rendezvous choice: every first attempt goes to the fake.
            ["Workers:ConversationAffinity"] = "false",
        });
        await _gateway.WaitUntilReadyAsync();
        _client = _gateway.CreateClient();
        await Wait.UntilAsync(
            async () =>
            {
                using var admin = _gateway.CreateClient(TestKeys.Admin);
                var models = await admin.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);
                return models.GetProperty("workers").EnumerateArray().Count(w => w.GetProperty("healthy").GetBoolean()) == 2;
            },
            TimeSpan.FromSeconds(30),
            "both workers to be healthy");
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_failing is not null)
        {
            await _failing.DisposeAsync();
        }
    }

    [Test]
    public async Task Query_WorkerFailsMidAnswer_RetriedOnTheOtherWorkerAndStoredOnce()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var calls = _failing.GenerateCalls;

        var answer = await _client.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8, temperature = 0 });

        Assert.Multiple(async () =>
        {
            Assert.That(_failing.GenerateCalls, Is.EqualTo(calls + 1), "the first attempt went to the failing worker");
            Assert.That(answer, Is.Not.Empty);
            Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[] { new Turn("user", "Once upon a time"), new Turn("bot", answer) }));
        });
    }

    [Test]
    public async Task StreamQuery_WorkerFailsMidAnswer_ErrorEventAndNothingStored()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var calls = _failing.GenerateCalls;

        var events = await _client.StreamQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8 });

        Assert.Multiple(async () =>
        {
            Assert.That(events[^1].Event, Is.EqualTo("error"));
            Assert.That(events.Count(e => e.Event == "done"), Is.Zero);
            Assert.That(_failing.GenerateCalls, Is.EqualTo(calls + 1), "not retried after text was streamed");
            Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
        });
    }
}
