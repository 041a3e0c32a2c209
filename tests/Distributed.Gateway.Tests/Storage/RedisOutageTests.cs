using System.Net;

namespace Distributed.Gateway.Tests.Storage;

/// <summary>
/// Redis stopped (killed): store routes answer 503 with Retry-After quickly (not a hang, not a 500) and readiness
/// fails; Redis back on the same port: requests succeed again with nothing half-written. A redis-server of its own
/// (append-only file, fsync always, so the data survives the kill) and a gateway of its own; the shared worker.
/// </summary>
[TestFixture]
public sealed class RedisOutageTests
{
    private SharedEnvironment _env = null!;
    private RedisServerFixture _redis = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;
    private HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _redis = await RedisServerFixture.StartNewAsync(extraArgs: ["--appendonly", "yes", "--appendfsync", "always"]);
        _gateway = await GatewayHost.StartAsync(_redis, [_env.Worker.Address]);
        await _gateway.WaitUntilReadyAsync();
        _client = _gateway.CreateClient();
        _anonymous = _gateway.CreateClient(apiKey: null);
    }

    [TearDown]
    public async Task RestartRedisAsync()
    {
        // Every test leaves Redis running for the next one.
        await _redis.StartAsync();
        await _gateway.WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _client?.Dispose();
        _anonymous?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Test]
    public async Task StoreRoutes_RedisStopped_Return503WithRetryAfter()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        await _redis.StopAsync();

        var calls = new (string Name, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("POST sessions", () => _client.PostJsonAsync("/llm/sessions", new { model_name = "stories260K" })),
            ("GET sessions", () => _client.GetAsync("/llm/sessions")),
            ("GET session", () => _client.GetAsync($"/llm/sessions/{session}")),
            ("POST conversations", () => _client.PostAsync($"/llm/sessions/{session}/conversations", null)),
            ("GET conversations", () => _client.GetAsync($"/llm/sessions/{session}/conversations")),
            ("GET conversation", () => _client.GetAsync($"/llm/sessions/{session}/conversations/{conversation}")),
            ("POST query", () => _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 })),
            ("POST query (SSE)", () => _client.SendStreamingQueryAsync(session, conversation, new { query = "hi", max_tokens = 2 })),
            ("DELETE conversation", () => _client.DeleteAsync($"/llm/sessions/{session}/conversations/{conversation}")),
            ("DELETE session", () => _client.DeleteAsync($"/llm/sessions/{session}")),
        };
        foreach (var (name, send) in calls)
        {
            using var response = await send();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"{name}: {await response.Content.ReadAsStringAsync()}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), name);
            Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero), name);
        }
    }

    [Test]
    public async Task Ready_RedisStopped_Returns503ThenRecovers()
    {
        await _redis.StopAsync();

        var down = await _anonymous.GetAsync("/health/ready").ExpectJsonAsync(HttpStatusCode.ServiceUnavailable);
        var live = await _anonymous.GetAsync("/health/live").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(down.GetProperty("status").GetString(), Is.EqualTo("not_ready"));
            Assert.That(down.GetProperty("redis").GetString(), Is.EqualTo("unavailable"));
            Assert.That(down.GetProperty("workers").GetProperty("healthy").GetInt32(), Is.EqualTo(1));
            Assert.That(live.GetProperty("status").GetString(), Is.EqualTo("live"));
        });

        await _redis.StartAsync();
        await _gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(30));
        var up = await _anonymous.GetAsync("/health/ready").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(up.GetProperty("redis").GetString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Query_RedisStoppedThenRestarted_NothingHalfWrittenAndQueriesSucceedAgain()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var first = await _client.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4 });

        await _redis.StopAsync();
        using (var failed = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "Lost question", max_tokens = 4 }))
        {
            await failed.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }

        using (var failedCreate = await _client.PostAsync($"/llm/sessions/{session}/conversations", null))
        {
            await failedCreate.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }

        await _redis.StartAsync();
        await Wait.UntilAsync(
            async () => (await _client.GetAsync($"/llm/sessions/{session}")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            "the gateway to reach Redis again");

        Assert.That(await _client.ListConversationsAsync(session), Is.EqualTo(new[] { conversation }), "no conversation from the outage");
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"), new Turn("bot", first),
        }), "no turn from the outage");

        var second = await _client.QueryAsync(session, conversation, new { query = "And then?", max_tokens = 4 });
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"), new Turn("bot", first),
            new Turn("user", "And then?"), new Turn("bot", second),
        }));
        var another = await _client.CreateConversationAsync(session);
        Assert.That(await _client.ListConversationsAsync(session), Is.EqualTo(new[] { conversation, another }));
    }
}
