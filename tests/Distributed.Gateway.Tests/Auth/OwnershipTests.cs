using System.Net;

namespace Distributed.Gateway.Tests.Auth;

/// <summary>A session belongs to the principal that created it: any other principal gets 404 for it and everything under it.</summary>
[TestFixture]
public sealed class OwnershipTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;
    private Guid _session;
    private Guid _conversation;
    private IReadOnlyList<Turn> _history = [];

    public static IEnumerable<TestCaseData> SessionRoutes()
    {
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/{s}", null).SetArgDisplayNames("GET session");
        yield return new TestCaseData(HttpMethod.Patch, "/llm/sessions/{s}", "{\"system_prompt\":\"hijacked\"}").SetArgDisplayNames("PATCH session");
        yield return new TestCaseData(HttpMethod.Delete, "/llm/sessions/{s}", null).SetArgDisplayNames("DELETE session");
        yield return new TestCaseData(HttpMethod.Post, "/llm/sessions/{s}/switch-model", "{\"model_name\":\"llama3\"}").SetArgDisplayNames("POST switch-model");
        yield return new TestCaseData(HttpMethod.Post, "/llm/sessions/{s}/conversations", null).SetArgDisplayNames("POST conversations");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/{s}/conversations", null).SetArgDisplayNames("GET conversations");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/{s}/conversations/{c}", null).SetArgDisplayNames("GET conversation");
        yield return new TestCaseData(HttpMethod.Delete, "/llm/sessions/{s}/conversations/{c}", null).SetArgDisplayNames("DELETE conversation");
        yield return new TestCaseData(HttpMethod.Post, "/llm/sessions/{s}/conversations/{c}/query", "{\"query\":\"hi\",\"max_tokens\":2}").SetArgDisplayNames("POST query");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _alice = _env.Gateway.CreateClient(TestKeys.Alice);
        _bob = _env.Gateway.CreateClient(TestKeys.Bob);
        _session = await _alice.CreateSessionAsync(systemPrompt: "Alice's prompt");
        _conversation = await _alice.CreateConversationAsync(_session);
        await _alice.QueryAsync(_session, _conversation, new { query = "Once upon a time", max_tokens = 4 });
        _history = await _alice.GetTurnsAsync(_session, _conversation);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    [TestCaseSource(nameof(SessionRoutes))]
    public async Task SessionRoute_OtherPrincipalsKey_Returns404AndChangesNothing(HttpMethod method, string template, string? body)
    {
        var path = template.Replace("{s}", _session.ToString(), StringComparison.Ordinal).Replace("{c}", _conversation.ToString(), StringComparison.Ordinal);

        using var response = await _bob.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : GatewayApi.Json(body) });

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        var session = await _alice.GetSessionAsync(_session);
        var conversations = await _alice.ListConversationsAsync(_session);
        var history = await _alice.GetTurnsAsync(_session, _conversation);
        Assert.Multiple(() =>
        {
            Assert.That(session.GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
            Assert.That(session.GetProperty("system_prompt").GetString(), Is.EqualTo("Alice's prompt"));
            Assert.That(conversations, Is.EqualTo(new[] { _conversation }));
            Assert.That(history, Is.EqualTo(_history));
        });
    }

    [Test]
    public async Task ListSessions_PrincipalWithoutSessions_ReturnsEmptyArray()
    {
        using var carol = _env.Gateway.CreateClient(TestKeys.Carol);

        var sessions = await carol.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(sessions.GetArrayLength(), Is.Zero);
    }

    [Test]
    public async Task ListSessions_TwoPrincipals_EachSeesOnlyTheirOwn()
    {
        var bobs = await _bob.CreateSessionAsync();

        var aliceList = await _alice.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        var bobList = await _bob.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);

        var aliceIds = aliceList.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()).ToArray();
        var bobIds = bobList.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(aliceIds, Does.Contain(_session).And.Not.Contain(bobs));
            Assert.That(bobIds, Does.Contain(bobs).And.Not.Contain(_session));
        });
    }

    [Test]
    public async Task Query_OtherPrincipalsConversationInOwnSessionPath_Returns404()
    {
        // Bob's own session id with Alice's conversation id: the conversation does not belong to that session.
        var bobs = await _bob.CreateSessionAsync();

        using var response = await _bob.PostJsonAsync(GatewayApi.QueryPath(bobs, _conversation), new { query = "hi", max_tokens = 2 });

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(await _alice.GetTurnsAsync(_session, _conversation), Is.EqualTo(_history));
    }
}
