using System.Net;

namespace Distributed.Gateway.Tests.Auth;

/// <summary>The <c>x-api-key</c> header: required everywhere but health and the OpenAPI document.</summary>
[TestFixture]
public sealed class ApiKeyAuthenticationTests
{
    private static readonly Guid SomeId = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");

    private SharedEnvironment _env = null!;

    public static IEnumerable<TestCaseData> ProtectedRoutes()
    {
        yield return new TestCaseData(HttpMethod.Post, "/llm/sessions", "{\"model_name\":\"stories260K\"}").SetArgDisplayNames("POST sessions");
        yield return new TestCaseData(HttpMethod.Get, "/llm/sessions", null).SetArgDisplayNames("GET sessions");
        yield return new TestCaseData(HttpMethod.Get, $"/llm/sessions/{SomeId}", null).SetArgDisplayNames("GET session");
        yield return new TestCaseData(HttpMethod.Patch, $"/llm/sessions/{SomeId}", "{}").SetArgDisplayNames("PATCH session");
        yield return new TestCaseData(HttpMethod.Delete, $"/llm/sessions/{SomeId}", null).SetArgDisplayNames("DELETE session");
        yield return new TestCaseData(HttpMethod.Post, $"/llm/sessions/{SomeId}/switch-model", "{\"model_name\":\"llama3\"}").SetArgDisplayNames("POST switch-model");
        yield return new TestCaseData(HttpMethod.Post, $"/llm/sessions/{SomeId}/conversations", null).SetArgDisplayNames("POST conversations");
        yield return new TestCaseData(HttpMethod.Get, $"/llm/sessions/{SomeId}/conversations", null).SetArgDisplayNames("GET conversations");
        yield return new TestCaseData(HttpMethod.Get, $"/llm/sessions/{SomeId}/conversations/{SomeId}", null).SetArgDisplayNames("GET conversation");
        yield return new TestCaseData(HttpMethod.Delete, $"/llm/sessions/{SomeId}/conversations/{SomeId}", null).SetArgDisplayNames("DELETE conversation");
        yield return new TestCaseData(HttpMethod.Post, $"/llm/sessions/{SomeId}/conversations/{SomeId}/query", "{\"query\":\"hi\"}").SetArgDisplayNames("POST query");
        yield return new TestCaseData(HttpMethod.Get, "/llm/models", null).SetArgDisplayNames("GET models");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [TestCaseSource(nameof(ProtectedRoutes))]
    public async Task ProtectedRoute_NoApiKey_Returns401Problem(HttpMethod method, string path, string? body)
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);

        using var response = await client.SendAsync(Request(method, path, body));

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [TestCaseSource(nameof(ProtectedRoutes))]
    public async Task ProtectedRoute_WrongApiKey_Returns401Problem(HttpMethod method, string path, string? body)
    {
        using var client = _env.Gateway.CreateClient("wrong-key");

        using var response = await client.SendAsync(Request(method, path, body));

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [TestCase("")]
    [TestCase("x")]
    [TestCase("test-alice-key-0123456789abcdeF")]
    public async Task ListSessions_InvalidApiKeyValues_Return401(string key)
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);
        var request = new HttpRequestMessage(HttpMethod.Get, "/llm/sessions");
        request.Headers.TryAddWithoutValidation("x-api-key", key);

        using var response = await client.SendAsync(request);

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task ListSessions_OverlongApiKey_Returns401()
    {
        using var client = _env.Gateway.CreateClient(new string('k', 10_000));

        using var response = await client.GetAsync("/llm/sessions");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [TestCase("/health/live")]
    [TestCase("/health/ready")]
    [TestCase("/openapi/v1.json")]
    public async Task OpenRoute_NoApiKey_Returns200(string path)
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);

        using var response = await client.GetAsync(path);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [TestCase(TestKeys.Admin)]
    [TestCase(TestKeys.Alice)]
    [TestCase(TestKeys.Bob)]
    public async Task CreateSession_ConfiguredKey_Returns201(string key)
    {
        using var client = _env.Gateway.CreateClient(key);

        var session = await client.CreateSessionAsync();

        Assert.That(session, Is.Not.EqualTo(Guid.Empty));
    }

    [Test]
    public async Task CreateSession_BootstrapKeyFromApiKeyVariable_IsAccepted()
    {
        // API_KEY is the old system's name for the bootstrap key; configuration sees environment variables under it.
        const string bootstrap = "bootstrap-key-from-API_KEY-variable";
        await using var gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Auth:ApiKey"] = null,
            ["API_KEY"] = bootstrap,
        });
        await gateway.WaitUntilReadyAsync();
        using var client = gateway.CreateClient(bootstrap);
        using var other = gateway.CreateClient(TestKeys.Admin);

        var session = await client.CreateSessionAsync();
        using var rejected = await other.GetAsync("/llm/sessions");

        Assert.That((await client.GetSessionAsync(session)).GetProperty("sessionId").GetGuid(), Is.EqualTo(session));
        await rejected.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string? body) =>
        new(method, path) { Content = body is null ? null : GatewayApi.Json(body) };
}
