using System.Net;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>
/// A worker that does not start answering within <c>Workers:FirstTokenTimeout</c> gives 504, and nothing is stored.
/// Provoked deterministically: the gateway's only worker is a <see cref="FakeWorker"/> whose Generate never answers.
/// </summary>
[TestFixture]
public sealed class FirstTokenTimeoutTests
{
    private SharedEnvironment _env = null!;
    private FakeWorker _worker = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _worker = await FakeWorker.StartAsync(FakeGenerate.Stall);
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_worker.Address], settings: new Dictionary<string, string?>
        {
            ["Workers:FirstTokenTimeout"] = "00:00:00.300",
        });
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
    public async Task Query_FirstTokenTimeoutExceeded_Returns504AndStoresNothing()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var callsBefore = _worker.GenerateCalls;

        using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "Once upon a time", max_tokens = 8 });

        var problem = await response.ExpectProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Gateway timeout"));
        Assert.That(_worker.GenerateCalls, Is.EqualTo(callsBefore + 1), "a timeout is not retried");
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
    }

    [Test]
    public async Task StreamQuery_FirstTokenTimeoutExceeded_Returns504ProblemBeforeAnyEvent()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        using var response = await _client.SendStreamingQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8 });

        await response.ExpectProblemAsync(HttpStatusCode.GatewayTimeout);
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
    }

    [Test]
    public async Task Query_AfterATimeout_ConversationIsNotLeftLocked()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        for (var i = 0; i < 2; i++)
        {
            using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "Once upon a time", max_tokens = 8 });
            await response.ExpectProblemAsync(HttpStatusCode.GatewayTimeout);
        }

        Assert.That(await _env.Inspector.KeysAsync($"{_gateway.KeyPrefix}*:conversation:{conversation:D}:lock"), Is.Empty);
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
    }
}
