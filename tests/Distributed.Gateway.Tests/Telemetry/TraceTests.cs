using System.Diagnostics;

namespace Distributed.Gateway.Tests.Telemetry;

/// <summary>
/// One trace per query across both tiers: a real gateway and a real worker process export OTLP to a collector here;
/// the client's <c>traceparent</c> is the root, the gateway's generation span is the parent of the worker's gRPC server
/// span (W3C trace context in the gRPC metadata), and the worker's queue, prefill and decode spans hang below it.
/// </summary>
[TestFixture]
public sealed class TraceTests
{
    private const string GatewayService = "distributed-gateway";
    private const string WorkerService = "distributed-inference-worker";

    private OtlpCollector _collector = null!;
    private WorkerProcess _worker = null!;
    private GatewayProcess _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        var env = await SharedEnvironment.GetAsync();
        _collector = await OtlpCollector.StartAsync();
        _worker = await WorkerProcess.StartAsync("trace-worker", _collector.ExporterSettings);
        _gateway = await GatewayProcess.StartAsync(env.Redis, [_worker.Address], _collector.ExporterSettings);
        await _gateway.WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public Task TearDownAsync() => AsyncDisposables.DisposeAllAsync(_gateway, _worker, _collector);

    [Test]
    public async Task StreamedQuery_WithClientTraceparent_OneTraceFromGatewayStepsToWorkerPhases()
    {
        using var client = _gateway.CreateClient(TestKeys.Alice);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        var clientSpan = ActivitySpanId.CreateRandom().ToHexString();
        client.DefaultRequestHeaders.Add("traceparent", $"00-{traceId}-{clientSpan}-01");

        var events = await client.StreamQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8 });
        Assert.That(events.Done().GetProperty("finish_reason").GetString(), Is.Not.Null);

        List<ReceivedSpan> trace = [];
        await Wait.UntilAsync(() =>
        {
            trace = [.. _collector.Spans.Where(s => s.TraceId == traceId)];
            return Task.FromResult(trace.Any(s => s is { Service: WorkerService, Name: "decode" }) &&
                                   trace.Any(s => s is { Service: GatewayService, Name: "conversation.history.append" }));
        }, TimeSpan.FromSeconds(30), "the query's spans from both tiers");

        // On failure, the trace as received.
        TestContext.Out.WriteLine(string.Join("\n", trace.Select(s => $"{s.Service} {s.Scope} {s.Name} {s.SpanId} <- {s.ParentSpanId}")));
        var server = trace.Single(s => s.Service == GatewayService && s.ParentSpanId == clientSpan);
        var gatewaySteps = trace.Where(s => s.Service == GatewayService).Select(s => s.Name).ToList();
        Assert.That(gatewaySteps, Is.SupersetOf(new[] { "auth.api_key", "conversation.lock", "conversation.history.read", "worker.route", "chat stories260K", "conversation.history.append" }));
        Assert.That(server.Scope, Is.EqualTo("Microsoft.AspNetCore"));

        var generation = trace.Single(s => s is { Service: GatewayService, Name: "chat stories260K" });
        Assert.That(Ancestors(trace, generation), Does.Contain(server.SpanId), "the generation is a step of the request");
        Assert.That(generation.Attributes["gen_ai.request.model"], Is.EqualTo(WorkerProcess.Stories));
        Assert.That(int.Parse(generation.Attributes["gen_ai.usage.output_tokens"], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0));
        Assert.That(generation.Attributes["server.port"], Is.EqualTo(_worker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var workerServer = trace.Single(s => s.Service == WorkerService && s.Scope == "Microsoft.AspNetCore");
        Assert.That(Ancestors(trace, workerServer), Does.Contain(generation.SpanId), "the worker's call is part of the gateway's generation (traceparent in the gRPC metadata)");
        var call = trace.Single(s => s.SpanId == workerServer.ParentSpanId);
        Assert.That(call.Scope, Is.EqualTo("System.Net.Http"), "through the HTTP/2 call's span");
        Assert.That(trace.Single(s => s.SpanId == call.ParentSpanId).Scope, Is.EqualTo("Grpc.Net.Client"), "and the gRPC call's");
        var workerGeneration = trace.Single(s => s is { Service: WorkerService, Name: "chat stories260K" });
        Assert.That(workerGeneration.ParentSpanId, Is.EqualTo(workerServer.SpanId));
        var phases = new[] { "queue", "prefill", "decode" }
            .Select(name => trace.Single(s => s.Service == WorkerService && s.Name == name))
            .ToList();
        Assert.That(phases.Select(p => p.ParentSpanId), Is.All.EqualTo(workerGeneration.SpanId));
        Assert.That(phases.Select(p => p.EndNanos), Is.Ordered, "queue, then prefill, then decode");
        Assert.That(phases[0].StartNanos, Is.GreaterThanOrEqualTo(workerGeneration.StartNanos));
        Assert.That(int.Parse(phases[2].Attributes["distributed.decode_tokens"], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(0));
        Assert.That(trace.Select(s => s.Name), Has.None.Contains("Once upon"), "no prompt text in span names");
        Assert.That(trace.SelectMany(s => s.Attributes.Values), Has.None.Contains("Once upon").And.None.Contains(TestKeys.Alice), "no prompt or key in attributes");
    }

    [Test]
    public async Task StatusPollsAndScrapes_NotTraced()
    {
        // The gateway polls the worker's status before it routes anything, so polls happened by now; a query's spans
        // arriving proves the exporters work, so missing poll spans are filtered, not late.
        using var client = _gateway.CreateClient(TestKeys.Alice);
        using var anonymous = _gateway.CreateClient(apiKey: null);
        using var scrape = await anonymous.GetAsync("/metrics");
        using var health = await anonymous.GetAsync("/health/live");
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        await client.StreamQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4 });
        await Wait.UntilAsync(
            () => Task.FromResult(_collector.Spans.Any(s => s is { Service: WorkerService, Name: "decode" })),
            TimeSpan.FromSeconds(30),
            "a query's worker spans");

        var routes = _collector.Spans.Select(s => s.Attributes.GetValueOrDefault("http.route") ?? s.Attributes.GetValueOrDefault("url.path") ?? s.Name).ToList();
        Assert.That(routes, Has.None.Contains("GetStatus").And.None.Contains("/metrics").And.None.Contains("/health").And.None.Contains("grpc.health"));
    }

    private static List<string> Ancestors(IReadOnlyList<ReceivedSpan> trace, ReceivedSpan span)
    {
        var ids = new List<string>();
        for (var parent = span.ParentSpanId; trace.FirstOrDefault(s => s.SpanId == parent) is { } next; parent = next.ParentSpanId)
        {
            ids.Add(next.SpanId);
        }

        return ids;
    }
}
