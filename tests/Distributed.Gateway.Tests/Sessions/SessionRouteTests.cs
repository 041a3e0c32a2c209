using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>Creating, listing, reading, updating and deleting sessions: statuses and the exact JSON shapes.</summary>
[TestFixture]
public sealed class SessionRouteTests
{
    private static readonly string[] SessionViewFields = ["sessionId", "model_name", "system_prompt", "created", "updated"];

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
    public async Task CreateSession_KnownModel_Returns201WithOnlySessionId()
    {
        using var response = await _client.PostJsonAsync("/llm/sessions", new { model_name = "stories260K" });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var body = await response.ReadJsonAsync();
        Assert.That(body.PropertyNames(), Is.EqualTo(new[] { "sessionId" }));
        Assert.That(Guid.TryParseExact(body.GetProperty("sessionId").GetString(), "D", out _), Is.True, body.ToString());
    }

    [Test]
    public async Task CreateSession_ModelAlias_StoresTheNameAsGiven()
    {
        var session = await _client.CreateSessionAsync("llama2");

        var view = await _client.GetSessionAsync(session);

        Assert.That(view.GetProperty("model_name").GetString(), Is.EqualTo("llama2"));
    }

    [Test]
    public async Task GetSession_NewSession_ReturnsModelPromptAndTimes()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var session = await _client.CreateSessionAsync(WorkerProcess.Stories, "You tell short stories.");

        var view = await _client.GetSessionAsync(session);

        Assert.That(view.PropertyNames(), Is.EqualTo(SessionViewFields));
        Assert.Multiple(() =>
        {
            Assert.That(view.GetProperty("sessionId").GetGuid(), Is.EqualTo(session));
            Assert.That(view.GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
            Assert.That(view.GetProperty("system_prompt").GetString(), Is.EqualTo("You tell short stories."));
            Assert.That(view.GetProperty("created").GetDateTimeOffset(), Is.GreaterThan(before).And.LessThan(DateTimeOffset.UtcNow.AddSeconds(5)));
            Assert.That(view.GetProperty("updated").GetDateTimeOffset(), Is.EqualTo(view.GetProperty("created").GetDateTimeOffset()));
        });
    }

    [Test]
    public async Task GetSession_NoSystemPrompt_SystemPromptIsNull()
    {
        var session = await _client.CreateSessionAsync();

        var view = await _client.GetSessionAsync(session);

        Assert.That(view.GetProperty("system_prompt").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task ListSessions_SeveralSessions_ListsEachWithItsView()
    {
        var first = await _client.CreateSessionAsync();
        var second = await _client.CreateSessionAsync(WorkerProcess.TinyRandom);

        var list = await _client.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(list.ValueKind, Is.EqualTo(JsonValueKind.Array));
        var views = list.EnumerateArray().ToDictionary(s => s.GetProperty("sessionId").GetGuid());
        Assert.That(views.Keys, Does.Contain(first).And.Contain(second));
        Assert.Multiple(() =>
        {
            Assert.That(views[first].PropertyNames(), Is.EqualTo(SessionViewFields));
            Assert.That(views[first].GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
            Assert.That(views[second].GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.TinyRandom));
        });
    }

    [Test]
    public async Task UpdateSession_NewSystemPrompt_Returns200WithUpdatedView()
    {
        var session = await _client.CreateSessionAsync(WorkerProcess.Stories, "old prompt");
        var created = (await _client.GetSessionAsync(session)).GetProperty("created").GetDateTimeOffset();

        var view = await _client.PatchAsync($"/llm/sessions/{session}", GatewayApi.Json(new { system_prompt = "new prompt" }))
            .ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(view.PropertyNames(), Is.EqualTo(SessionViewFields));
        Assert.Multiple(() =>
        {
            Assert.That(view.GetProperty("system_prompt").GetString(), Is.EqualTo("new prompt"));
            Assert.That(view.GetProperty("created").GetDateTimeOffset(), Is.EqualTo(created));
            Assert.That(view.GetProperty("updated").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(created));
        });
        var reread = await _client.GetSessionAsync(session);
        Assert.That(reread.GetProperty("system_prompt").GetString(), Is.EqualTo("new prompt"));
    }

    [Test]
    public async Task UpdateSession_EmptySystemPrompt_ClearsIt()
    {
        var session = await _client.CreateSessionAsync(WorkerProcess.Stories, "old prompt");

        var view = await _client.PatchAsync($"/llm/sessions/{session}", GatewayApi.Json(new { system_prompt = "" }))
            .ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(view.GetProperty("system_prompt").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task DeleteSession_WithConversationsAndTurns_Returns204ThenEverything404AndKeysGone()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        await _client.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4 });
        Assert.That(await _env.Inspector.KeysMentioningAsync(_env.Gateway.KeyPrefix, conversation), Is.Not.Empty, "keys exist before");

        using var deleted = await _client.DeleteAsync($"/llm/sessions/{session}");

        await deleted.ExpectStatusAsync(HttpStatusCode.NoContent);
        foreach (var path in new[]
        {
            $"/llm/sessions/{session}",
            $"/llm/sessions/{session}/conversations",
            $"/llm/sessions/{session}/conversations/{conversation}",
        })
        {
            using var response = await _client.GetAsync(path);
            await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        }

        using var again = await _client.DeleteAsync($"/llm/sessions/{session}");
        await again.ExpectProblemAsync(HttpStatusCode.NotFound);
        var list = await _client.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(list.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()), Does.Not.Contain(session));
        Assert.That(await _env.Inspector.KeysMentioningAsync(_env.Gateway.KeyPrefix, session), Is.Empty, "session keys");
        Assert.That(await _env.Inspector.KeysMentioningAsync(_env.Gateway.KeyPrefix, conversation), Is.Empty, "conversation keys");
        var member = await _env.Inspector.ExecuteAsync("ZSCORE", $"{_env.Gateway.KeyPrefix}principal:alice:sessions", session.ToString("D"));
        Assert.That(member.IsNull, Is.True, "removed from the principal's session index");
    }
}
