using System.Net;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>
/// A generation that fails on one worker before any token was streamed is retried on another: a <see cref="FakeWorker"/>
/// that routing prefers (it reports the model loaded with the most free capacity) fails at once, the real worker answers.
/// </summary>
[TestFixture]
public sealed class WorkerRetryTests
{
    private SharedEnvironment _env = null!;
    private FakeWorker _failing = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _failing = await FakeWorker.StartAsync(FakeGenerate.Unavailable);
        // Free capacity decides (not the conversation's rendezvous choice), so the failing fake is surely tried first.
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_failing.Address, _env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Workers:ConversationAffinity"] = "false",
        });
        using var anonymous = _gateway.CreateClient(apiKey: null);
        await Wait.UntilAsync(
            async () =>
            {
                var ready = await anonymous.GetAsync("/health/ready").ExpectJsonAsync(HttpStatusCode.OK);
                return ready.GetProperty("workers").GetProperty("healthy").GetInt32() == 2;
            },
            TimeSpan.FromSeconds(30),
            "both workers to be polled healthy");
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

        if (_failing is not null)
        {
            await _failing.DisposeAsync();
        }
    }

    [Test]
    public async Task Query_PreferredWorkerFailsBeforeFirstToken_RetriedOnTheOtherWorker()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        var answer = await _client.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4 });

        Assert.That(_failing.GenerateCalls, Is.GreaterThanOrEqualTo(1), "the failing worker was tried first");
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[] { new Turn("user", "Once upon a time"), new Turn("bot", answer) }));
    }
}
