using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Gateway.Tests.Telemetry;

/// <summary>
/// The gateway's own operational metrics on <c>/metrics</c>, each provoked for real on a gateway of its own: limit
/// rejections by kind where each limit refuses, the worker's circuit breaker opening, Redis command latency and the
/// sanitizer's findings by kind and direction, with no secret or request text in any label. Other gateways of the
/// run share the meter's name (the SDK listens by name), so values are compared with a scrape taken before.
/// </summary>
[TestFixture]
public sealed class GatewayMetricsTests
{
    private const string Rejections = "distributed_gateway_limit_rejections_total";
    private const string Findings = "distributed_gateway_sanitization_findings_total";
    private const string RedisDuration = "db_client_operation_duration_seconds";
    private const string SecretEmail = "alice.private@example.com";
    private const string SecretCard = "4111 1111 1111 1111";
    private const string AnswerEmail = "carol.hidden@example.org";

    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task LimitRejections_RequestsOverTheRateLimit_CountedAsRate()
    {
        await using var gateway = await StartAsync([_env.Worker.Address], new() { ["Limits:User:RequestsPerMinute"] = "3" }, new MinuteStartClock());
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var before = await gateway.ScrapeAsync();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await alice.GetAsync("/llm/sessions");
            await ok.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var refused = await alice.GetAsync("/llm/sessions");
        await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);

        await AssertRejectedOnceAsync(gateway, before, "rate");
    }

    [Test]
    public async Task LimitRejections_LoginLockedOut_CountedAsLogin()
    {
        await using var gateway = await StartAsync([_env.Worker.Address], new() { ["Auth:LoginMaxFailuresPerEmail"] = "2", ["Auth:LoginLockout"] = "00:05:00" });
        var email = AccountApi.NewEmail("locked");
        var before = await gateway.ScrapeAsync();
        for (var i = 0; i < 2; i++)
        {
            using var wrong = await gateway.SendLoginAsync(email, $"Wrong!Passw0rd{i}");
            await wrong.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        using var locked = await gateway.SendLoginAsync(email, "Wrong!Passw0rd");
        await locked.ExpectProblemAsync(HttpStatusCode.TooManyRequests);

        var after = await AssertRejectedOnceAsync(gateway, before, "login");
        Assert.That(after.LabelValues, Has.None.Contains(email), "no email in any label");
    }

    [Test]
    public async Task LimitRejections_TokenBudgetUsedUp_CountedAsTokens()
    {
        await using var fake = await FakeWorker.StartAsync(FakeGenerate.Script);
        fake.Script = ["Once", " upon"];
        await using var gateway = await StartAsync([fake.Address], new() { ["Limits:User:TokensPerMinute"] = "1" }, new MinuteStartClock());
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var before = await gateway.ScrapeAsync();
        using (var served = await alice.PostJsonAsync("/prompt", new { prompt = "Tell me a story" }))
        {
            await served.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var refused = await alice.PostJsonAsync("/prompt", new { prompt = "Tell me a story" });
        await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);

        await AssertRejectedOnceAsync(gateway, before, "tokens");
    }

    [Test]
    public async Task LimitRejections_SecondGenerationWhileOneIsInFlight_CountedAsConcurrency()
    {
        await using var fake = await FakeWorker.StartAsync(FakeGenerate.Stall);
        await using var gateway = await StartAsync([fake.Address], new() { ["Limits:User:ConcurrentGenerations"] = "1" });
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var before = await gateway.ScrapeAsync();
        using var cancel = new CancellationTokenSource();
        var first = alice.PostAsync("/prompt", GatewayApi.Json(new { prompt = "Tell me a long story" }), cancel.Token);
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(fake.GenerateCalls > 0), TimeSpan.FromSeconds(30), "the first generation to reach the worker");

            using var refused = await alice.PostJsonAsync("/prompt", new { prompt = "Hi" });
            await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        }
        finally
        {
            await cancel.CancelAsync();
            Assert.That(async () => (await first).Dispose(), Throws.InstanceOf<OperationCanceledException>());
        }

        await AssertRejectedOnceAsync(gateway, before, "concurrency");
    }

    [Test]
    public async Task LimitRejections_BodyOverTheMaximumSize_CountedAsBodySize()
    {
        await using var gateway = await StartAsync([_env.Worker.Address], new() { ["Kestrel:Limits:MaxRequestBodySize"] = "1024" });
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var before = await gateway.ScrapeAsync();
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes($$"""{"model_name":"stories260K","system_prompt":"{{new string('x', 4096)}}"}"""));
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        // Expect: 100-continue, so the refusal comes before the body is sent (see RequestSizeTests).
        var request = new HttpRequestMessage(HttpMethod.Post, "/llm/sessions") { Content = body };
        request.Headers.ExpectContinue = true;

        using var refused = await alice.SendAsync(request);
        await refused.ExpectProblemAsync(HttpStatusCode.RequestEntityTooLarge);

        await AssertRejectedOnceAsync(gateway, before, "body_size");
    }

    [Test]
    public async Task LimitRejections_OnlyWorkerQueueFull_CountedAsQueueFull()
    {
        await using var fake = await FakeWorker.StartAsync(FakeGenerate.QueueFull);
        await using var gateway = await StartAsync([fake.Address], []);
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var before = await gateway.ScrapeAsync();

        using var refused = await alice.PostJsonAsync("/prompt", new { prompt = "Tell me a story" });
        await refused.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero), "a full queue says when to come back");

        await AssertRejectedOnceAsync(gateway, before, "queue_full");
        Assert.That(fake.GenerateCalls, Is.EqualTo(1), "one worker, asked once");
    }

    [Test]
    public async Task BreakerState_WorkerFailingEveryCall_OpenAndOpenedOnce()
    {
        await using var fake = await FakeWorker.StartAsync(FakeGenerate.Unavailable);
        // A break longer than the test: the breaker stays open once it opened.
        await using var gateway = await StartAsync([fake.Address], new() { ["Workers:BreakerDuration"] = "00:10:00" });
        using var alice = gateway.CreateClient(TestKeys.Alice);
        (string, string) worker = ("distributed_worker", fake.Address.ToString());
        var closed = await gateway.WaitForMetricsAsync(m => m.Series("distributed_gateway_worker_breaker_state", worker).Any(), "the worker's breaker gauge");
        Assert.That(closed.Sum("distributed_gateway_worker_breaker_state", worker), Is.Zero, "closed");
        Assert.That(closed.Sum("distributed_gateway_worker_breaker_opened_total", worker), Is.Zero);

        // The breaker opens after three failed calls (its minimum throughput), each a 503 here.
        for (var i = 0; i < 3; i++)
        {
            using var failed = await alice.PostJsonAsync("/prompt", new { prompt = "Tell me a story" });
            await failed.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        }

        var open = await gateway.WaitForMetricsAsync(m => m.Sum("distributed_gateway_worker_breaker_state", worker) == 2, "the breaker to read open (2)");
        Assert.That(open.Sum("distributed_gateway_worker_breaker_opened_total", worker), Is.EqualTo(1));
        Assert.That(open.Sum("distributed_gateway_worker_available", worker), Is.Zero, "an open breaker makes the worker unavailable");
        Assert.That(fake.GenerateCalls, Is.EqualTo(3));
    }

    [Test]
    public async Task RedisDuration_AfterAQuery_HistogramByRedisCommand()
    {
        await using var gateway = await StartAsync([_env.Worker.Address], []);
        using var alice = gateway.CreateClient(TestKeys.Alice);
        (string, string) redis = ("db_system_name", "redis");
        var before = await gateway.ScrapeAsync();
        var session = await alice.CreateSessionAsync();
        var conversation = await alice.CreateConversationAsync(session);
        await alice.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4 });

        var after = await gateway.WaitForMetricsAsync(
            m => m.Sum($"{RedisDuration}_count", redis) > before.Sum($"{RedisDuration}_count", redis),
            "Redis command timings of the query");

        var operations = after.Series($"{RedisDuration}_count", redis).Select(s => s.Labels["db_operation_name"]).ToArray();
        Assert.That(operations, Is.Not.Empty.And.All.Match("^[A-Z]+$"), "Redis command names only");
        Assert.That(after.Sum($"{RedisDuration}_sum", redis), Is.GreaterThan(before.Sum($"{RedisDuration}_sum", redis)));
        Assert.That(after.Series($"{RedisDuration}_bucket", redis).Select(s => s.Labels["le"]), Does.Contain("0.001").And.Contain("+Inf"));
        Assert.That(after.LabelValues, Has.None.Contains("Once upon").And.None.Contains(TestKeys.Alice).And.None.Contains(gateway.KeyPrefix));
    }

    [Test]
    public async Task SanitizationFindings_PromptWithEmailAndCardAnswerWithEmail_CountedByKindAndDirectionOnly()
    {
        await using var fake = await FakeWorker.StartAsync(FakeGenerate.Script);
        fake.Script = ["Sure, write to ", AnswerEmail, " today."];
        await using var gateway = await StartAsync([fake.Address], []);
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var before = await gateway.ScrapeAsync();
        var prompt = $"My email is {SecretEmail} and my card is {SecretCard}, whom should I write to?";

        using var response = await alice.PostJsonAsync("/prompt", new { prompt });
        await response.ExpectStatusAsync(HttpStatusCode.OK);

        var after = await gateway.WaitForMetricsAsync(m => Delta(m, before, "email", "output") >= 1, "the answer's findings");
        Assert.Multiple(() =>
        {
            Assert.That(Delta(after, before, "email", "input"), Is.EqualTo(1));
            Assert.That(Delta(after, before, "card", "input"), Is.EqualTo(1));
            Assert.That(Delta(after, before, "email", "output"), Is.EqualTo(1));
            Assert.That(Delta(after, before, "card", "output"), Is.Zero);
        });
        AssertNothingSecret(after, prompt);
    }

    [Test]
    public async Task SanitizationFindings_StreamedAnswerWithEmail_CountedAsOutput()
    {
        await using var fake = await FakeWorker.StartAsync(FakeGenerate.Script);
        fake.Script = ["Sure, write to ", AnswerEmail, " today."];
        await using var gateway = await StartAsync([fake.Address], []);
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var session = await alice.CreateSessionAsync();
        var conversation = await alice.CreateConversationAsync(session);
        var before = await gateway.ScrapeAsync();

        await alice.StreamQueryAsync(session, conversation, new { query = "Whom should I write to?" });

        var after = await gateway.WaitForMetricsAsync(m => Delta(m, before, "email", "output") >= 1, "the streamed answer's findings");
        Assert.That(Delta(after, before, "email", "output"), Is.EqualTo(1));
        Assert.That(Delta(after, before, "email", "input"), Is.Zero);
        AssertNothingSecret(after, "Whom should I write to?");
    }

    private static double Delta(PrometheusText after, PrometheusText before, string kind, string direction)
    {
        (string, string)[] labels = [("distributed_sanitization_kind", kind), ("distributed_sanitization_direction", direction)];
        return after.Sum(Findings, labels) - before.Sum(Findings, labels);
    }

    private static void AssertNothingSecret(PrometheusText metrics, string prompt)
    {
        var values = metrics.LabelValues.ToArray();
        Assert.That(values, Has.None.Contains(SecretEmail).And.None.Contains(AnswerEmail)
            .And.None.Contains(SecretCard).And.None.Contains(SecretCard.Replace(" ", "", StringComparison.Ordinal)),
            "no redacted value in any label"); // the whole card: "4111" alone also occurs in random ports (":34111")
        Assert.That(values, Has.None.Contains(prompt).And.None.Contains(TestKeys.Alice), "no prompt or key in any label");
    }

    /// <summary>Waits for exactly one more rejection of <paramref name="kind"/> than <paramref name="before"/>, and none of another kind.</summary>
    private static async Task<PrometheusText> AssertRejectedOnceAsync(GatewayHost gateway, PrometheusText before, string kind)
    {
        (string, string) label = ("distributed_limit_kind", kind);
        var after = await gateway.WaitForMetricsAsync(m => m.Sum(Rejections, label) > before.Sum(Rejections, label), $"a {kind} rejection");
        Assert.That(after.Sum(Rejections, label) - before.Sum(Rejections, label), Is.EqualTo(1), kind);
        Assert.That(after.Sum(Rejections) - before.Sum(Rejections), Is.EqualTo(1), "no other kind counted");
        Assert.That(after.Series(Rejections).Select(s => s.Labels["distributed_limit_kind"]),
            Is.SubsetOf(new[] { "rate", "tokens", "concurrency", "login", "body_size", "queue_full", "worker_memory" }));
        return after;
    }

    private async Task<GatewayHost> StartAsync(Uri[] workers, Dictionary<string, string?> settings, TimeProvider? clock = null)
    {
        var gateway = await GatewayHost.StartAsync(
            _env.Redis,
            workers,
            settings: settings,
            services: clock is null ? null : services => services.AddSingleton(clock));
        try
        {
            await gateway.WaitUntilReadyAsync();
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }
}
