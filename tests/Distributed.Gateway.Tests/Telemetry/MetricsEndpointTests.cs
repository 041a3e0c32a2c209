using System.Net;

namespace Distributed.Gateway.Tests.Telemetry;

/// <summary>The gateway's <c>/metrics</c> (Prometheus, no credentials needed) after a real query through a real worker.</summary>
[TestFixture]
public sealed class MetricsEndpointTests
{
    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task Metrics_AfterAQuery_GenAiHistogramsByModelAndWorkerHttpRoutesAndWorkerHealth()
    {
        using var client = _env.Gateway.CreateClient(TestKeys.Carol);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        await client.StreamQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8 });

        using var anonymous = _env.Gateway.CreateClient(apiKey: null);
        using var response = await anonymous.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var worker = $"distributed_worker=\"{_env.Worker.Address}\"";
        Assert.That(text, Does.Match($"(?m)^gen_ai_server_time_to_first_token_seconds_count\\{{[^}}]*gen_ai_request_model=\"stories260K\"[^}}]*\\}} [1-9]"));
        Assert.That(text, Does.Contain(worker));
        Assert.That(text, Does.Match("(?m)^gen_ai_server_request_duration_seconds_count\\{[^}]*\\} [1-9]"));
        Assert.That(text, Does.Match("(?m)^gen_ai_client_token_usage_sum\\{[^}]*gen_ai_token_type=\"output\"[^}]*\\} [1-9]"));
        Assert.That(text, Does.Match("(?m)^gen_ai_client_token_usage_sum\\{[^}]*gen_ai_token_type=\"input\"[^}]*\\} [1-9]"));
        Assert.That(text, Does.Match("(?m)^http_server_request_duration_seconds_count\\{[^}]*http_route=\"/llm/sessions/\\{sessionId\\}/conversations/\\{conversationId\\}/query\""));
        Assert.That(text, Does.Match($"(?m)^distributed_gateway_worker_healthy\\{{[^}}]*{System.Text.RegularExpressions.Regex.Escape(worker)}[^}}]*\\}} 1"));
        Assert.That(text, Does.Not.Contain(TestKeys.Carol).And.Not.Contain("Once upon"), "no key or prompt in any label");
    }
}
