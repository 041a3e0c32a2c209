using System.Globalization;

namespace Distributed.Gateway.Tests.Deploy;

/// <summary>
/// The metric and label names that deploy/ queries (Grafana dashboard, KEDA trigger, Prometheus Adapter rules) exist
/// in what a real worker and a real gateway expose at <c>/metrics</c> after a query: renaming a metric or a label in
/// the code without updating the deployment fails here.
/// </summary>
[TestFixture]
public sealed class DeployMetricNamesTests
{
    // Added by Prometheus to every scraped series (target labels), so never in the exposition itself.
    private static readonly HashSet<string> TargetLabels = new(StringComparer.Ordinal) { "instance", "job", "namespace", "pod", "container", "service", "endpoint" };

    private RedisServerFixture _redis = null!;
    private WorkerProcess _worker = null!;
    private GatewayProcess _gateway = null!;
    private IReadOnlyList<PrometheusSample> _samples = [];
    private IReadOnlyList<DeployQuery> _queries = [];

    [OneTimeSetUp]
    public async Task StartAndScrapeAsync()
    {
        _queries = DeployQueries.All();
        _redis = await RedisServerFixture.StartNewAsync();
        var metricsPort = FreePort.Next();
        _worker = await WorkerProcess.StartAsync("deploy-metrics-worker", new Dictionary<string, string?>
        {
            ["Worker__MetricsPort"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        _gateway = await GatewayProcess.StartAsync(_redis, [_worker.Address]);
        await _gateway.WaitUntilReadyAsync();

        using var client = _gateway.CreateClient();
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        await client.StreamQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 8 });

        using var workerMetrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}"), Timeout = TimeSpan.FromSeconds(10) };
        using var gatewayMetrics = _gateway.CreateClient(apiKey: null, TimeSpan.FromSeconds(10));
        var worker = await PrometheusText.ScrapeAsync(workerMetrics);
        var gateway = await PrometheusText.ScrapeAsync(gatewayMetrics);
        _samples = [.. worker.Samples, .. gateway.Samples];
    }

    [OneTimeTearDown]
    public Task StopAsync() => AsyncDisposables.DisposeAllAsync(_gateway, _worker, _redis);

    [Test]
    public void DeployQueries_AgainstRealScrapes_EveryMetricNameExists()
    {
        var series = _samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var referenced = References(PromQlNames.Metrics);

        // A histogram's base name (e.g. in label_values) exists through its _bucket/_sum/_count series.
        var missing = referenced.Where(r => !series.Contains(r.Name) && !series.Contains(r.Name + "_bucket")).ToList();

        Assert.That(referenced.Select(r => r.Name).Distinct().Count(), Is.GreaterThanOrEqualTo(10), "the queries were read (dashboard, KEDA, adapter)");
        Assert.That(referenced.Select(r => r.Source), Has.Some.StartsWith("ScaledObject").And.Some.StartsWith("adapter").And.Some.StartsWith("dashboard"));
        Assert.That(missing, Is.Empty, "metric names used in deploy/ but exposed by neither tier");
    }

    [Test]
    public void DeployQueries_AgainstRealScrapes_EveryLabelExists()
    {
        var labels = _samples.SelectMany(s => s.Labels.Keys).ToHashSet(StringComparer.Ordinal);
        var referenced = References(PromQlNames.Labels).Where(r => !TargetLabels.Contains(r.Name)).ToList();

        var missing = referenced.Where(r => !labels.Contains(r.Name)).ToList();

        Assert.That(referenced.Select(r => r.Name), Does.Contain("gen_ai_request_model").And.Contain("distributed_worker").And.Contain("le"));
        Assert.That(missing, Is.Empty, "labels used in deploy/ but on no exposed series");
    }

    [Test]
    public void Metrics_PromQlWithFunctionsMatchersGroupingsAndVariables_OnlyMetricNames()
    {
        var names = PromQlNames.Metrics("histogram_quantile(0.95, sum by (le, pod) (rate(a_bucket{x=~\"$v\", y!=\"b{c}\"}[$__rate_interval]))) / ignoring(z) b_total offset 5m + sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)");

        Assert.That(names, Is.EquivalentTo(new[] { "a_bucket", "b_total" }));
    }

    private List<(string Name, string Source)> References(Func<string, IReadOnlySet<string>> names) =>
        _queries.SelectMany(q => names(q.Expr).Select(n => (Name: n, q.Source))).ToList();
}
