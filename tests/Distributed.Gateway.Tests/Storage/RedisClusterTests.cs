using System.Net;

namespace Distributed.Gateway.Tests.Storage;

/// <summary>
/// The session and conversation routes against a local Redis Cluster of three masters (a gateway of its own given
/// the masters as Redis:Endpoints, the ACL user and password; the shared worker): every script and transaction
/// must stay within one hash slot, and a session's keys must share one while sessions spread over the nodes.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisClusterTests
{
    private SharedEnvironment _env = null!;
    private RedisClusterFixture _cluster = null!;
    private GatewayHost _gateway = null!;
    private RedisInspector _inspector = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _cluster = await RedisClusterFixture.StartNewAsync();
        _gateway = await GatewayHost.StartAsync(_cluster, [_env.Worker.Address]);
        await _gateway.WaitUntilReadyAsync();
        _inspector = new RedisInspector(_cluster);
        _alice = _gateway.CreateClient(TestKeys.Alice);
        _bob = _gateway.CreateClient(TestKeys.Bob);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _alice?.Dispose();
        _bob?.Dispose();
        await AsyncDisposables.DisposeAllAsync(_gateway, _inspector, _cluster);
    }

    [Test]
    public async Task Sessions_CreateListGetPatch_Work()
    {
        var session = await _alice.CreateSessionAsync(systemPrompt: "Be brief.");

        var listed = await _alice.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(listed.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()), Does.Contain(session));
        using (var patch = await _alice.PatchAsync($"/llm/sessions/{session}", GatewayApi.Json(new { system_prompt = "Be kind." })))
        {
            await patch.ExpectStatusAsync(HttpStatusCode.OK);
        }

        var read = await _alice.GetSessionAsync(session);
        Assert.That(read.GetProperty("system_prompt").GetString(), Is.EqualTo("Be kind."));
    }

    [Test]
    public async Task Conversations_QueryWithHistory_StoresTurnsInOrder()
    {
        var session = await _alice.CreateSessionAsync();
        var first = await _alice.CreateConversationAsync(session);
        var second = await _alice.CreateConversationAsync(session);

        var one = await _alice.QueryAsync(session, first, new { query = "Once upon a time", max_tokens = 4 });
        var streamed = (await _alice.StreamQueryAsync(session, first, new { query = "And then?", max_tokens = 4 })).Done();

        Assert.That(await _alice.ListConversationsAsync(session), Is.EqualTo(new[] { first, second }));
        Assert.That(await _alice.GetTurnsAsync(session, first), Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"), new Turn("bot", one),
            new Turn("user", "And then?"), new Turn("bot", streamed.GetProperty("response").GetString()!),
        }));
        Assert.That(await _alice.GetTurnsAsync(session, second), Is.Empty);
        Assert.That(await _inspector.KeysAsync($"{_gateway.KeyPrefix}*:conversation:{first:D}:lock"), Is.Empty, "the lock is released");
    }

    [Test]
    public async Task DeleteConversation_RemovesItsKeysOnly()
    {
        var session = await _alice.CreateSessionAsync();
        var kept = await _alice.CreateConversationAsync(session);
        var doomed = await _alice.CreateConversationAsync(session);
        await _alice.QueryAsync(session, doomed, new { query = "hi", max_tokens = 2 });

        using (var delete = await _alice.DeleteAsync($"/llm/sessions/{session}/conversations/{doomed}"))
        {
            await delete.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        Assert.That(await _alice.ListConversationsAsync(session), Is.EqualTo(new[] { kept }));
        Assert.That(await _inspector.KeysMentioningAsync(_gateway.KeyPrefix, doomed), Is.Empty);
        using var gone = await _alice.GetAsync($"/llm/sessions/{session}/conversations/{doomed}");
        await gone.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task DeleteSession_WithConversations_RemovesEveryKeyAndTheIndexEntry()
    {
        var session = await _alice.CreateSessionAsync();
        var conversations = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var conversation = await _alice.CreateConversationAsync(session);
            await _alice.QueryAsync(session, conversation, new { query = $"Story {i}", max_tokens = 2 });
            conversations.Add(conversation);
        }

        Assert.That(await _inspector.KeysMentioningAsync(_gateway.KeyPrefix, session), Is.Not.Empty, "keys exist before");
        using (var delete = await _alice.DeleteAsync($"/llm/sessions/{session}"))
        {
            await delete.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        Assert.That(await _inspector.KeysMentioningAsync(_gateway.KeyPrefix, session), Is.Empty, "session keys");
        foreach (var conversation in conversations)
        {
            Assert.That(await _inspector.KeysMentioningAsync(_gateway.KeyPrefix, conversation), Is.Empty, "conversation keys");
        }

        var member = await _inspector.ExecuteAsync("ZSCORE", $"{_gateway.KeyPrefix}principal:alice:sessions", session.ToString("D"));
        Assert.That(member.IsNull, Is.True, "not in the principal's index");
        using var gone = await _alice.GetAsync($"/llm/sessions/{session}");
        await gone.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task OtherPrincipal_SessionAndConversation_Are404()
    {
        var session = await _alice.CreateSessionAsync();
        var conversation = await _alice.CreateConversationAsync(session);

        foreach (var path in new[] { $"/llm/sessions/{session}", $"/llm/sessions/{session}/conversations", $"/llm/sessions/{session}/conversations/{conversation}" })
        {
            using var response = await _bob.GetAsync(path);
            await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        using (var query = await _bob.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 }))
        {
            await query.ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        using (var delete = await _bob.DeleteAsync($"/llm/sessions/{session}"))
        {
            await delete.ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        Assert.That(await _alice.ListConversationsAsync(session), Is.EqualTo(new[] { conversation }), "untouched");
    }

    [Test]
    public async Task SessionKeys_ShareOneSlot_AndSessionsSpreadOverTheMasters()
    {
        var nodes = new HashSet<string>();
        for (var i = 0; i < 12; i++)
        {
            var session = await _alice.CreateSessionAsync();
            var conversation = await _alice.CreateConversationAsync(session);
            await _alice.QueryAsync(session, conversation, new { query = "hi", max_tokens = 2 });
            var keys = await _inspector.KeysMentioningAsync(_gateway.KeyPrefix, session);
            Assert.That(keys, Has.Count.EqualTo(4), string.Join(", ", keys));
            var slots = new HashSet<long>();
            foreach (var key in keys)
            {
                slots.Add((long)await _inspector.ExecuteAsync("CLUSTER", "KEYSLOT", key));
            }

            Assert.That(slots, Has.Count.EqualTo(1), "one slot per session");
            var holders = (await _inspector.KeysByNodeAsync($"{_gateway.KeyPrefix}*{session:D}*")).Where(n => n.Value.Count > 0).ToArray();
            Assert.That(holders, Has.Length.EqualTo(1), "one node holds the session");
            nodes.Add(holders[0].Key);
        }

        Assert.That(nodes, Has.Count.GreaterThan(1), "12 sessions on more than one master");
    }

    [Test]
    public async Task UsersAndKeys_RegisterLoginIssueRevoke_Work()
    {
        var (_, client, _) = await _gateway.NewUserClientAsync("cluster");
        var created = await client.CreateKeyAsync("cluster key");
        var keyed = _gateway.CreateClient(created.GetProperty("key").GetString());
        var session = await keyed.CreateSessionAsync();
        Assert.That((await client.ListKeysAsync()).GetArrayLength(), Is.EqualTo(1));

        using (var revoke = await client.DeleteAsync($"/auth/keys/{created.GetProperty("id").GetString()}"))
        {
            await revoke.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using var rejected = await keyed.GetAsync($"/llm/sessions/{session}");
        Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        keyed.Dispose();
        client.Dispose();
    }

    [Test]
    public async Task Ready_AllMastersConnected_Returns200()
    {
        using var anonymous = _gateway.CreateClient(apiKey: null);
        var ready = await anonymous.GetAsync("/health/ready").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(ready.GetProperty("redis").GetString(), Is.EqualTo("ok"));
    }
}
