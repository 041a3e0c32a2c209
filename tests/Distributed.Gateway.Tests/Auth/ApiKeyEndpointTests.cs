using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Auth;

/// <summary>
/// <c>/auth/keys</c>: a key is shown once, listed by prefix and name only, acts as its creator, is revoked at once, and
/// is stored in Redis only as its SHA-256.
/// </summary>
[TestFixture]
public sealed class ApiKeyEndpointTests
{
    private static readonly string[] CreatedFields = ["id", "name", "prefix", "key", "created"];
    private static readonly string[] ListedFields = ["id", "name", "prefix", "created"];

    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task CreateKey_WithName_Returns201ShowingTheKeyOnce()
    {
        var (_, client, _) = await _env.Gateway.NewUserClientAsync("keys");
        using var owned = client;

        using var response = await client.PostJsonAsync("/auth/keys", new { name = "ci runner" });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        var created = await response.ReadJsonAsync();
        var key = created.GetProperty("key").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(created.PropertyNames(), Is.EqualTo(CreatedFields));
            Assert.That(Guid.TryParseExact(created.GetProperty("id").GetString(), "D", out _), Is.True, "id is a UUID");
            Assert.That(created.GetProperty("name").GetString(), Is.EqualTo("ci runner"));
            Assert.That(key, Does.StartWith("dk_").And.Length.GreaterThanOrEqualTo(40));
            Assert.That(created.GetProperty("prefix").GetString(), Is.EqualTo(key[..9]));
            Assert.That(created.GetProperty("created").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        });
    }

    [Test]
    public async Task CreateKey_NoBody_IsNamedKey()
    {
        using var client = _env.Gateway.CreateClient(TestKeys.Carol);

        var created = await client.PostAsync("/auth/keys", null).ExpectJsonAsync(HttpStatusCode.Created);

        Assert.That(created.GetProperty("name").GetString(), Is.EqualTo("key"));
        using var revoke = await client.DeleteAsync($"/auth/keys/{created.GetProperty("id").GetString()}");
        await revoke.ExpectStatusAsync(HttpStatusCode.NoContent);
    }

    [TestCase("""{"name":5}""", "name")]
    [TestCase("""{"name":""}""", "name")]
    [TestCase("""{"name":["a"]}""", "name")]
    [TestCase("""{"name":"x""", "body")]
    [TestCase("""[]""", "body")]
    public async Task CreateKey_InvalidBody_Returns400AndCreatesNothing(string body, string field)
    {
        var (_, client, _) = await _env.Gateway.NewUserClientAsync("badkey");
        using var owned = client;

        using var response = await client.PostAsync("/auth/keys", GatewayApi.Json(body));

        await response.ExpectBadRequestAsync(field);
        Assert.That((await client.ListKeysAsync()).GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task CreateKey_OverlongName_Returns400()
    {
        using var client = _env.Gateway.CreateClient(TestKeys.Carol);

        using var response = await client.PostJsonAsync("/auth/keys", new { name = new string('n', 101) });

        await response.ExpectBadRequestAsync("name");
    }

    [Test]
    public async Task ListKeys_AfterCreatingTwo_ShowsIdNamePrefixAndCreatedButNeverTheKey()
    {
        var (_, client, _) = await _env.Gateway.NewUserClientAsync("list");
        using var owned = client;
        var first = await client.CreateKeyAsync("first");
        var second = await client.CreateKeyAsync("second");

        using var response = await client.GetAsync("/auth/keys");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        var listed = (await response.ReadJsonAsync()).EnumerateArray().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(listed.Select(k => k.PropertyNames()), Is.All.EqualTo(ListedFields));
            Assert.That(listed.Select(k => k.GetProperty("id").GetString()), Is.EqualTo(new[] { Id(first), Id(second) }), "in creation order");
            Assert.That(listed.Select(k => k.GetProperty("name").GetString()), Is.EqualTo(new[] { "first", "second" }));
            Assert.That(listed.Select(k => k.GetProperty("prefix").GetString()), Is.EqualTo(new[] { Prefix(first), Prefix(second) }));
            Assert.That(text, Does.Not.Contain(Key(first)).And.Not.Contain(Key(second)));
        });
    }

    [Test]
    public async Task IssuedKey_AsApiKey_ActsAsItsCreatorAndOwnsTheSameSessions()
    {
        var (user, bearer, _) = await _env.Gateway.NewUserClientAsync("owner");
        using var owned = bearer;
        var sessionFromToken = await bearer.CreateSessionAsync();
        using var keyed = _env.Gateway.CreateClient(Key(await bearer.CreateKeyAsync("script")));

        var sessionFromKey = await keyed.CreateSessionAsync();
        var conversation = await keyed.CreateConversationAsync(sessionFromToken);
        await keyed.QueryAsync(sessionFromToken, conversation, new { query = "Once upon a time", max_tokens = 4 });

        var listedByKey = await keyed.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        var listedByToken = await bearer.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(Ids(listedByKey), Is.EquivalentTo(new[] { sessionFromToken, sessionFromKey }));
            Assert.That(Ids(listedByToken), Is.EquivalentTo(new[] { sessionFromToken, sessionFromKey }));
            Assert.That(await bearer.GetTurnsAsync(sessionFromToken, conversation), Has.Count.EqualTo(2));
            Assert.That((await _env.Inspector.ExecuteAsync("HGET", $"{_env.Gateway.KeyPrefix}{{{sessionFromKey}}}:session", "owner")).AsString(), Is.EqualTo(user.Id));
        });
    }

    [Test]
    public async Task IssuedKey_OfAStaticKeyPrincipal_SeesThatPrincipalsSessions()
    {
        using var alice = _env.Gateway.CreateClient(TestKeys.Alice);
        var session = await alice.CreateSessionAsync();
        var created = await alice.CreateKeyAsync("alice's second key");
        using var keyed = _env.Gateway.CreateClient(Key(created));

        var view = await keyed.GetSessionAsync(session);

        Assert.That(view.GetProperty("sessionId").GetGuid(), Is.EqualTo(session));
        using var revoke = await alice.DeleteAsync($"/auth/keys/{Id(created)}");
        await revoke.ExpectStatusAsync(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task DeleteKey_Revoked_IsRefusedAtOnceAndGoneFromTheList()
    {
        var (_, client, _) = await _env.Gateway.NewUserClientAsync("revoke");
        using var owned = client;
        var kept = await client.CreateKeyAsync("kept");
        var revoked = await client.CreateKeyAsync("revoked");
        using var keyed = _env.Gateway.CreateClient(Key(revoked));
        using var keptClient = _env.Gateway.CreateClient(Key(kept));
        using (var before = await keyed.GetAsync("/llm/sessions"))
        {
            await before.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var delete = await client.DeleteAsync($"/auth/keys/{Id(revoked)}");

        await delete.ExpectStatusAsync(HttpStatusCode.NoContent);
        using var after = await keyed.GetAsync("/llm/sessions");
        await after.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        using var again = await client.DeleteAsync($"/auth/keys/{Id(revoked)}");
        await again.ExpectProblemAsync(HttpStatusCode.NotFound);
        var listed = await client.ListKeysAsync();
        Assert.That(listed.EnumerateArray().Select(k => k.GetProperty("id").GetString()), Is.EqualTo(new[] { Id(kept) }));
        using var stillWorks = await keptClient.GetAsync("/llm/sessions");
        await stillWorks.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task DeleteKey_ByTheKeyItself_RevokesIt()
    {
        var (_, client, _) = await _env.Gateway.NewUserClientAsync("selfrevoke");
        using var owned = client;
        var created = await client.CreateKeyAsync("self");
        using var keyed = _env.Gateway.CreateClient(Key(created));

        using var delete = await keyed.DeleteAsync($"/auth/keys/{Id(created)}");

        await delete.ExpectStatusAsync(HttpStatusCode.NoContent);
        using var after = await keyed.GetAsync("/auth/keys");
        await after.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [TestCase("not-a-uuid")]
    [TestCase("3f2504e0-4f89-41d3-9a0c-0305e82c3301")]
    [TestCase("3f2504e04f8941d39a0c0305e82c3301")]
    [TestCase("..%2F..%2Fusers")]
    public async Task DeleteKey_UnknownOrMalformedId_Returns404(string id)
    {
        using var client = _env.Gateway.CreateClient(TestKeys.Carol);

        using var response = await client.DeleteAsync($"/auth/keys/{id}");

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task IssuedKey_InRedis_IsStoredOnlyAsItsSha256()
    {
        var (user, client, _) = await _env.Gateway.NewUserClientAsync("sha");
        using var owned = client;
        var created = await client.CreateKeyAsync("hashed");
        var key = Key(created);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var prefix = _env.Gateway.KeyPrefix;

        var dump = await _env.Inspector.DumpAsync();

        var text = string.Join("\n", dump.Select(pair => pair.Key + " " + pair.Value));
        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Not.Contain(key), "the key is nowhere in Redis, not in a key name nor in a value");
            Assert.That(text, Does.Not.Contain(key[9..]), "nor its secret part");
            Assert.That(dump.Keys, Does.Contain($"{prefix}apikey:{sha}"), "the entry is found by the key's SHA-256");
            Assert.That(dump[$"{prefix}apikey:{sha}"], Does.Contain(user.Id).And.Contain("hashed").And.Contain(Prefix(created)));
            Assert.That(dump[$"{prefix}principal:{user.Id}:keys"], Is.EqualTo($"hash:{Id(created)}\u001E{sha}"));
        });
    }

    [Test]
    public async Task IssuedKey_ByTheBootstrapAdmin_IsAnAdminKey_ByAUser_IsNot()
    {
        using var admin = _env.Gateway.CreateClient(TestKeys.Admin);
        var adminKey = await admin.CreateKeyAsync("admin automation");
        var (_, user, _) = await _env.Gateway.NewUserClientAsync("plain");
        using var owned = user;
        var userKey = await user.CreateKeyAsync("user automation");
        using var adminKeyed = _env.Gateway.CreateClient(Key(adminKey));
        using var userKeyed = _env.Gateway.CreateClient(Key(userKey));

        using var allowed = await adminKeyed.GetAsync("/admin/users");
        using var forbidden = await userKeyed.GetAsync("/admin/users");

        await allowed.ExpectStatusAsync(HttpStatusCode.OK);
        await forbidden.ExpectProblemAsync(HttpStatusCode.Forbidden);
        using var revoke = await admin.DeleteAsync($"/auth/keys/{Id(adminKey)}");
        await revoke.ExpectStatusAsync(HttpStatusCode.NoContent);
    }

    [Test]
    public async Task IssuedKey_AfterAGatewayRestart_StillWorks()
    {
        // Keys live in Redis, not in the process: a new gateway on the same data accepts them.
        await using var first = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address]);
        await first.WaitUntilReadyAsync();
        var (_, client, _) = await first.NewUserClientAsync("restart");
        using var owned = client;
        var key = Key(await client.CreateKeyAsync("survives"));
        var session = await client.CreateSessionAsync();
        await first.StopAsync();

        await using var second = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], first.KeyPrefix);
        using var keyed = second.CreateClient(key);

        Assert.That((await keyed.GetSessionAsync(session)).GetProperty("sessionId").GetGuid(), Is.EqualTo(session));
    }

    private static string Id(JsonElement created) => created.GetProperty("id").GetString()!;

    private static string Key(JsonElement created) => created.GetProperty("key").GetString()!;

    private static string Prefix(JsonElement created) => created.GetProperty("prefix").GetString()!;

    private static Guid[] Ids(JsonElement sessions) => sessions.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()).ToArray();
}
