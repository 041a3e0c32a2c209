using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>Bad input is a 400 ProblemDetails naming the field at fault (never a 500), and changes nothing.</summary>
[TestFixture]
public sealed class ValidationTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;
    private Guid _session;
    private Guid _conversation;

    public static IEnumerable<TestCaseData> CreateSessionBodies()
    {
        yield return new TestCaseData("{\"model_name\": \"stories260K\"", "body").SetArgDisplayNames("malformed JSON");
        yield return new TestCaseData("not json at all", "body").SetArgDisplayNames("not JSON");
        yield return new TestCaseData("[\"stories260K\"]", "body").SetArgDisplayNames("array body");
        yield return new TestCaseData("\"stories260K\"", "body").SetArgDisplayNames("string body");
        yield return new TestCaseData("null", "body").SetArgDisplayNames("null body");
        yield return new TestCaseData("", "body").SetArgDisplayNames("empty body");
        yield return new TestCaseData("{}", "model_name").SetArgDisplayNames("missing model_name");
        yield return new TestCaseData("{\"model_name\": null}", "model_name").SetArgDisplayNames("null model_name");
        yield return new TestCaseData("{\"model_name\": 5}", "model_name").SetArgDisplayNames("number model_name");
        yield return new TestCaseData("{\"model_name\": true}", "model_name").SetArgDisplayNames("bool model_name");
        yield return new TestCaseData("{\"model_name\": [\"stories260K\"]}", "model_name").SetArgDisplayNames("array model_name");
        yield return new TestCaseData("{\"model_name\": {\"name\": \"stories260K\"}}", "model_name").SetArgDisplayNames("object model_name");
        yield return new TestCaseData("{\"model_name\": \"\"}", "model_name").SetArgDisplayNames("empty model_name");
        yield return new TestCaseData("{\"model_name\": \"   \"}", "model_name").SetArgDisplayNames("blank model_name");
        yield return new TestCaseData($"{{\"model_name\": \"{new string('m', 201)}\"}}", "model_name").SetArgDisplayNames("overlong model_name");
        yield return new TestCaseData("{\"model_name\": \"stories260K\", \"system_prompt\": 7}", "system_prompt").SetArgDisplayNames("number system_prompt");
        yield return new TestCaseData($"{{\"model_name\": \"stories260K\", \"system_prompt\": \"{new string('p', 4001)}\"}}", "system_prompt").SetArgDisplayNames("overlong system_prompt");
    }

    public static IEnumerable<TestCaseData> QueryBodies()
    {
        yield return new TestCaseData("{\"query\": \"hi\"", "body").SetArgDisplayNames("malformed JSON");
        yield return new TestCaseData("[]", "body").SetArgDisplayNames("array body");
        yield return new TestCaseData("", "body").SetArgDisplayNames("empty body");
        yield return new TestCaseData("{}", "query").SetArgDisplayNames("missing query");
        yield return new TestCaseData("{\"query\": 5}", "query").SetArgDisplayNames("number query");
        yield return new TestCaseData("{\"query\": [\"hi\"]}", "query").SetArgDisplayNames("array query");
        yield return new TestCaseData("{\"query\": \"\"}", "query").SetArgDisplayNames("empty query");
        yield return new TestCaseData("{\"query\": \" \\n \"}", "query").SetArgDisplayNames("blank query");
        yield return new TestCaseData($"{{\"query\": \"{new string('q', SharedEnvironment.MaxQueryLength + 1)}\"}}", "query").SetArgDisplayNames("query over MaxQueryLength");
        yield return new TestCaseData("{\"query\": \"hi\", \"max_tokens\": 0}", "max_tokens").SetArgDisplayNames("max_tokens 0");
        yield return new TestCaseData("{\"query\": \"hi\", \"max_tokens\": 2049}", "max_tokens").SetArgDisplayNames("max_tokens over cap");
        yield return new TestCaseData("{\"query\": \"hi\", \"max_tokens\": \"4\"}", "max_tokens").SetArgDisplayNames("string max_tokens");
        yield return new TestCaseData("{\"query\": \"hi\", \"max_tokens\": 1.5}", "max_tokens").SetArgDisplayNames("fractional max_tokens");
        yield return new TestCaseData("{\"query\": \"hi\", \"max_tokens\": 99999999999}", "max_tokens").SetArgDisplayNames("huge max_tokens");
        yield return new TestCaseData("{\"query\": \"hi\", \"temperature\": -0.1}", "temperature").SetArgDisplayNames("negative temperature");
        yield return new TestCaseData("{\"query\": \"hi\", \"temperature\": 2.5}", "temperature").SetArgDisplayNames("temperature over 2");
        yield return new TestCaseData("{\"query\": \"hi\", \"temperature\": \"hot\"}", "temperature").SetArgDisplayNames("string temperature");
        yield return new TestCaseData("{\"query\": \"hi\", \"top_p\": 0}", "top_p").SetArgDisplayNames("top_p 0");
        yield return new TestCaseData("{\"query\": \"hi\", \"top_p\": 1.5}", "top_p").SetArgDisplayNames("top_p over 1");
        yield return new TestCaseData("{\"query\": \"hi\", \"seed\": -1}", "seed").SetArgDisplayNames("negative seed");
        yield return new TestCaseData("{\"query\": \"hi\", \"seed\": 4294967296}", "seed").SetArgDisplayNames("seed over uint");
        yield return new TestCaseData("{\"query\": \"hi\", \"seed\": \"7\"}", "seed").SetArgDisplayNames("string seed");
        yield return new TestCaseData("{\"query\": \"hi\", \"stop\": 5}", "stop").SetArgDisplayNames("number stop");
        yield return new TestCaseData("{\"query\": \"hi\", \"stop\": [\"a\", 5]}", "stop").SetArgDisplayNames("mixed stop");
        yield return new TestCaseData("{\"query\": \"hi\", \"stop\": [\"\"]}", "stop").SetArgDisplayNames("empty stop");
        yield return new TestCaseData("{\"query\": \"hi\", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]}", "stop").SetArgDisplayNames("five stops");
    }

    public static IEnumerable<TestCaseData> NonUuidRoutes()
    {
        const string s = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/not-a-uuid", null, "sessionId").SetArgDisplayNames("GET session");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/12345", null, "sessionId").SetArgDisplayNames("GET session digits");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/3f2504e04f8941d39a0c0305e82c3301", null, "sessionId").SetArgDisplayNames("GET session undashed");
        yield return new TestCaseData(HttpMethod.Patch, "/llm/sessions/abc", "{}", "sessionId").SetArgDisplayNames("PATCH session");
        yield return new TestCaseData(HttpMethod.Delete, "/llm/sessions/abc", null, "sessionId").SetArgDisplayNames("DELETE session");
        yield return new TestCaseData(HttpMethod.Post, "/llm/sessions/abc/switch-model", "{\"model_name\":\"llama3\"}", "sessionId").SetArgDisplayNames("POST switch-model");
        yield return new TestCaseData(HttpMethod.Post, "/llm/sessions/abc/conversations", null, "sessionId").SetArgDisplayNames("POST conversations");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/abc/conversations", null, "sessionId").SetArgDisplayNames("GET conversations");
        yield return new TestCaseData(HttpMethod.Get, $"/llm/sessions/abc/conversations/{s}", null, "sessionId").SetArgDisplayNames("GET conversation, bad session");
        yield return new TestCaseData(HttpMethod.Get, $"/llm/sessions/{s}/conversations/xyz", null, "conversationId").SetArgDisplayNames("GET conversation, bad conversation");
        yield return new TestCaseData(HttpMethod.Delete, $"/llm/sessions/{s}/conversations/xyz", null, "conversationId").SetArgDisplayNames("DELETE conversation");
        yield return new TestCaseData(HttpMethod.Post, $"/llm/sessions/{s}/conversations/xyz/query", "{\"query\":\"hi\"}", "conversationId").SetArgDisplayNames("POST query, bad conversation");
        yield return new TestCaseData(HttpMethod.Post, $"/llm/sessions/abc/conversations/{s}/query", "{\"query\":\"hi\"}", "sessionId").SetArgDisplayNames("POST query, bad session");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions/%2A/conversations", null, "sessionId").SetArgDisplayNames("GET conversations, key pattern");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient(TestKeys.Admin);
        _session = await _client.CreateSessionAsync();
        _conversation = await _client.CreateConversationAsync(_session);
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [TestCaseSource(nameof(CreateSessionBodies))]
    public async Task CreateSession_InvalidBody_Returns400NamingTheField(string body, string field)
    {
        var before = await SessionCountAsync();

        using var response = await _client.PostAsync("/llm/sessions", GatewayApi.Json(body));

        await response.ExpectBadRequestAsync(field);
        Assert.That(await SessionCountAsync(), Is.EqualTo(before), "no session was created");
    }

    [Test]
    public async Task CreateSession_UnknownModel_Returns400ListingTheAvailableModels()
    {
        using var response = await _client.PostJsonAsync("/llm/sessions", new { model_name = "gpt-17" });

        var problem = await response.ExpectBadRequestAsync("model_name");
        var available = problem.GetProperty("available").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.That(available, Is.EquivalentTo(new[] { "llama-2-tiny-random", "llama2", "llama3", "stories260K" }));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("gpt-17").And.Contain("stories260K").And.Contain("llama-2-tiny-random"));
    }

    [Test]
    public async Task CreateSession_NonJsonContentType_Returns415()
    {
        using var response = await _client.PostAsync("/llm/sessions", new StringContent("{\"model_name\":\"stories260K\"}", System.Text.Encoding.UTF8, "text/plain"));

        await response.ExpectProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [TestCaseSource(nameof(QueryBodies))]
    public async Task Query_InvalidBody_Returns400NamingTheFieldAndStoresNothing(string body, string field)
    {
        using var response = await _client.PostAsync(GatewayApi.QueryPath(_session, _conversation), GatewayApi.Json(body));

        await response.ExpectBadRequestAsync(field);
        Assert.That(await _client.GetTurnsAsync(_session, _conversation), Is.Empty);
    }

    [Test]
    public async Task Query_ExactlyMaxQueryLength_IsAccepted()
    {
        var conversation = await _client.CreateConversationAsync(_session);

        await _client.QueryAsync(_session, conversation, new { query = new string('a', SharedEnvironment.MaxQueryLength), max_tokens = 2 });

        Assert.That(await _client.GetTurnsAsync(_session, conversation), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task SwitchModel_UnknownModel_Returns400ListingModelsAndKeepsTheModel()
    {
        using var response = await _client.PostJsonAsync($"/llm/sessions/{_session}/switch-model", new { model_name = "no-such-model" });

        var problem = await response.ExpectBadRequestAsync("model_name");
        Assert.That(problem.GetProperty("available").EnumerateArray().Select(e => e.GetString()), Does.Contain("stories260K").And.Contain("llama-2-tiny-random"));
        Assert.That((await _client.GetSessionAsync(_session)).GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
    }

    [TestCase("{\"model_name\": 5}", "model_name")]
    [TestCase("{}", "model_name")]
    [TestCase("{\"model_name\": \"\"}", "model_name")]
    [TestCase("{\"model_name\"", "body")]
    public async Task SwitchModel_InvalidBody_Returns400NamingTheFieldAndKeepsTheModel(string body, string field)
    {
        using var response = await _client.PostAsync($"/llm/sessions/{_session}/switch-model", GatewayApi.Json(body));

        var problem = await response.ExpectBadRequestAsync(field);
        Assert.That(problem.GetProperty("errors").PropertyNames(), Is.EqualTo(new[] { field }));
        Assert.That((await _client.GetSessionAsync(_session)).GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
    }

    [TestCase("{\"system_prompt\": 5}", "system_prompt")]
    [TestCase("{\"system_prompt\": [\"a\"]}", "system_prompt")]
    [TestCase("[1]", "body")]
    [TestCase("{\"system_prompt\"", "body")]
    public async Task UpdateSession_InvalidBody_Returns400NamingTheField(string body, string field)
    {
        using var response = await _client.PatchAsync($"/llm/sessions/{_session}", GatewayApi.Json(body));

        await response.ExpectBadRequestAsync(field);
    }

    [TestCaseSource(nameof(NonUuidRoutes))]
    public async Task Route_IdNotAUuid_Returns400NamingTheParameter(HttpMethod method, string path, string? body, string field)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : GatewayApi.Json(body) });

        await response.ExpectBadRequestAsync(field);
    }

    private async Task<int> SessionCountAsync() =>
        (await _client.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK)).GetArrayLength();
}
