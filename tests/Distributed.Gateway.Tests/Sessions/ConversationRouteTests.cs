using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>Creating, listing, reading and deleting conversations: statuses and the exact JSON shapes.</summary>
[TestFixture]
public sealed class ConversationRouteTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient();
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [Test]
    public async Task CreateConversation_ExistingSession_Returns201WithOnlyConversationId()
    {
        var session = await _client.CreateSessionAsync();

        using var response = await _client.PostAsync($"/llm/sessions/{session}/conversations", null);

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        Assert.That(body.PropertyNames(), Is.EqualTo(new[] { "conversationId" }));
        Assert.That(Guid.TryParseExact(body.GetProperty("conversationId").GetString(), "D", out _), Is.True, body.ToString());
    }

    [Test]
    public async Task CreateConversation_WithAnIgnoredJsonBody_Returns201()
    {
        var session = await _client.CreateSessionAsync();

        using var response = await _client.PostJsonAsync($"/llm/sessions/{session}/conversations", new { title = "ignored" });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
    }

    [Test]
    public async Task ListConversations_ThreeCreated_ReturnsIdStringsInCreationOrder()
    {
        var session = await _client.CreateSessionAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            created.Add(await _client.CreateConversationAsync(session));
        }

        var list = await _client.GetAsync($"/llm/sessions/{session}/conversations").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(list.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(list.EnumerateArray().Select(e => e.ValueKind), Is.All.EqualTo(JsonValueKind.String));
        Assert.That(list.EnumerateArray().Select(e => e.GetString()), Is.EqualTo(created.Select(id => id.ToString("D"))));
    }

    [Test]
    public async Task ListConversations_NewSession_ReturnsEmptyArray()
    {
        var session = await _client.CreateSessionAsync();

        var list = await _client.GetAsync($"/llm/sessions/{session}/conversations").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(list.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(list.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task GetConversation_NoQueriesYet_ReturnsEmptyArray()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        var turns = await _client.GetAsync($"/llm/sessions/{session}/conversations/{conversation}").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(turns.ValueKind, Is.EqualTo(JsonValueKind.Array));
        Assert.That(turns.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task DeleteConversation_WithTurns_Returns204ThenNotFoundAndKeysGone()
    {
        var session = await _client.CreateSessionAsync();
        var kept = await _client.CreateConversationAsync(session);
        var doomed = await _client.CreateConversationAsync(session);
        await _client.QueryAsync(session, doomed, new { query = "Once upon a time", max_tokens = 4 });

        using var deleted = await _client.DeleteAsync($"/llm/sessions/{session}/conversations/{doomed}");

        await deleted.ExpectStatusAsync(HttpStatusCode.NoContent);
        using var read = await _client.GetAsync($"/llm/sessions/{session}/conversations/{doomed}");
        await read.ExpectProblemAsync(HttpStatusCode.NotFound);
        using var query = await _client.PostJsonAsync(GatewayApi.QueryPath(session, doomed), new { query = "hi" });
        await query.ExpectProblemAsync(HttpStatusCode.NotFound);
        using var again = await _client.DeleteAsync($"/llm/sessions/{session}/conversations/{doomed}");
        await again.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(await _client.ListConversationsAsync(session), Is.EqualTo(new[] { kept }));
        Assert.That(await _env.Inspector.KeysMentioningAsync(_env.Gateway.KeyPrefix, doomed), Is.Empty);
        Assert.That(await _client.GetTurnsAsync(session, kept), Is.Empty, "the other conversation is untouched");
    }
}
