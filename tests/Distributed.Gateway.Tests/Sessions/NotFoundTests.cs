using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>Unknown sessions and conversations (well-formed UUIDs) are 404 ProblemDetails on every route.</summary>
[TestFixture]
public sealed class NotFoundTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;
    private Guid _session;
    private Guid _conversation;
    private Guid _otherSessionsConversation;

    public static IEnumerable<TestCaseData> UnknownSessionRoutes()
    {
        yield return new TestCaseData(HttpMethod.Get, "", null).SetArgDisplayNames("GET session");
        yield return new TestCaseData(HttpMethod.Patch, "", "{\"system_prompt\":\"x\"}").SetArgDisplayNames("PATCH session");
        yield return new TestCaseData(HttpMethod.Delete, "", null).SetArgDisplayNames("DELETE session");
        yield return new TestCaseData(HttpMethod.Post, "/switch-model", "{\"model_name\":\"llama3\"}").SetArgDisplayNames("POST switch-model");
        yield return new TestCaseData(HttpMethod.Post, "/conversations", null).SetArgDisplayNames("POST conversations");
        yield return new TestCaseData(HttpMethod.Get, "/conversations", null).SetArgDisplayNames("GET conversations");
        yield return new TestCaseData(HttpMethod.Get, "/conversations/3f2504e0-4f89-41d3-9a0c-0305e82c3301", null).SetArgDisplayNames("GET conversation");
        yield return new TestCaseData(HttpMethod.Delete, "/conversations/3f2504e0-4f89-41d3-9a0c-0305e82c3301", null).SetArgDisplayNames("DELETE conversation");
        yield return new TestCaseData(HttpMethod.Post, "/conversations/3f2504e0-4f89-41d3-9a0c-0305e82c3301/query", "{\"query\":\"hi\"}").SetArgDisplayNames("POST query");
    }

    public static IEnumerable<TestCaseData> UnknownConversationRoutes()
    {
        yield return new TestCaseData(HttpMethod.Get, "", null).SetArgDisplayNames("GET conversation");
        yield return new TestCaseData(HttpMethod.Delete, "", null).SetArgDisplayNames("DELETE conversation");
        yield return new TestCaseData(HttpMethod.Post, "/query", "{\"query\":\"hi\"}").SetArgDisplayNames("POST query");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient();
        _session = await _client.CreateSessionAsync();
        _conversation = await _client.CreateConversationAsync(_session);
        var other = await _client.CreateSessionAsync();
        _otherSessionsConversation = await _client.CreateConversationAsync(other);
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [TestCaseSource(nameof(UnknownSessionRoutes))]
    public async Task SessionRoute_UnknownSession_Returns404Problem(HttpMethod method, string suffix, string? body)
    {
        using var response = await SendAsync(method, $"/llm/sessions/{Guid.NewGuid()}{suffix}", body);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Session"));
    }

    [TestCaseSource(nameof(UnknownConversationRoutes))]
    public async Task ConversationRoute_UnknownConversation_Returns404Problem(HttpMethod method, string suffix, string? body)
    {
        using var response = await SendAsync(method, $"/llm/sessions/{_session}/conversations/{Guid.NewGuid()}{suffix}", body);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Conversation"));
    }

    [TestCaseSource(nameof(UnknownConversationRoutes))]
    public async Task ConversationRoute_ConversationOfAnotherSession_Returns404Problem(HttpMethod method, string suffix, string? body)
    {
        using var response = await SendAsync(method, $"/llm/sessions/{_session}/conversations/{_otherSessionsConversation}{suffix}", body);

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.That(await _client.ListConversationsAsync(_session), Is.EqualTo(new[] { _conversation }));
    }

    [Test]
    public async Task UnknownPath_Returns404()
    {
        using var response = await _client.GetAsync("/llm/nothing-here");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body) =>
        _client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : GatewayApi.Json(body) });
}
