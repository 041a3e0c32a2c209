using System.Net;

namespace Distributed.Gateway.Tests;

/// <summary>The OpenAPI document (<c>/openapi/v1.json</c>) is served, without a key, and describes the API.</summary>
[TestFixture]
public sealed class OpenApiDocumentTests
{
    [Test]
    public async Task OpenApiDocument_WithoutApiKey_DescribesEveryRoute()
    {
        var env = await SharedEnvironment.GetAsync();
        using var anonymous = env.Gateway.CreateClient(apiKey: null);

        var document = await anonymous.GetAsync("/openapi/v1.json").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(document.GetProperty("openapi").GetString(), Does.StartWith("3."));
        var paths = document.GetProperty("paths").PropertyNames();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/llm/sessions",
            "/llm/sessions/{sessionId}",
            "/llm/sessions/{sessionId}/switch-model",
            "/llm/sessions/{sessionId}/conversations",
            "/llm/sessions/{sessionId}/conversations/{conversationId}",
            "/llm/sessions/{sessionId}/conversations/{conversationId}/query",
            "/llm/models",
            "/health/live",
            "/health/ready",
        }));
    }
}
