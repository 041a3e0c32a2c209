using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>
/// The per-conversation lock (in Redis, across gateway replicas): a query waits for it up to
/// <c>Gateway:ConversationLockWait</c>, then gets 409 with Retry-After. A gateway of its own with a short wait.
/// </summary>
[TestFixture]
public sealed class ConversationLockTests
{
    private SharedEnvironment _env = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Gateway:ConversationLockWait"] = "00:00:00.300",
        });
        await _gateway.WaitUntilReadyAsync();
        _client = _gateway.CreateClient();
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
    }

    [Test]
    public async Task Query_ConversationLockedElsewhere_Returns409WithRetryAfterAndStoresNothing()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var lockKey = $"{_gateway.KeyPrefix}{{{session:D}}}:conversation:{conversation:D}:lock";
        await _env.Inspector.ExecuteAsync("SET", lockKey, "another-replica", "PX", 60_000);

        using var plain = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 });
        using var streamed = await _client.SendStreamingQueryAsync(session, conversation, new { query = "hi", max_tokens = 2 });

        await plain.ExpectProblemAsync(HttpStatusCode.Conflict);
        await streamed.ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.That(plain.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
        Assert.That((await _env.Inspector.ExecuteAsync("GET", lockKey)).AsString(), Is.EqualTo("another-replica"), "someone else's lock is left alone");

        await _env.Inspector.ExecuteAsync("DEL", lockKey);
        var answer = await _client.QueryAsync(session, conversation, new { query = "hi", max_tokens = 2 });

        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[] { new Turn("user", "hi"), new Turn("bot", answer) }));
    }

    [Test]
    public async Task Query_Completed_ReleasesTheLock()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        await _client.QueryAsync(session, conversation, new { query = "hi", max_tokens = 2 });

        Assert.That(await _env.Inspector.KeysAsync($"{_gateway.KeyPrefix}{{{session:D}}}:conversation:{conversation:D}:lock"), Is.Empty);
    }
}
