using Distributed.Testing;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>The worker's <c>/metrics</c> (Prometheus, on its own HTTP/1.1 port) after real generations.</summary>
[TestFixture]
public sealed class MetricsTests
{
    private WorkerHost _worker = null!;
    private int _metricsPort;

    [OneTimeSetUp]
    public async Task StartWorker()
    {
        _metricsPort = FreePort.Next();
        _worker = await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:MetricsPort"] = _metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public async Task Metrics_AfterGenerations_GenAiHistogramsTokensAndGaugesPerModel()
    {
        await _worker.Client.RunAsync(GenerationClient.Prompt("stories260K", "Once upon a time", 8));
        await _worker.Client.RunAsync(GenerationClient.Prompt("stories260K", "Once upon a time", 8));

        using var http = new HttpClient();
        var text = await http.GetStringAsync($"http://127.0.0.1:{_metricsPort}/metrics");

        Assert.That(text, Does.Match(Line("gen_ai_server_request_duration_seconds_count", "2")));
        Assert.That(text, Does.Match(Line("gen_ai_server_time_to_first_token_seconds_count", "2")));
        Assert.That(text, Does.Match(Line("gen_ai_server_time_per_output_token_seconds_count", "2")));
        Assert.That(text, Does.Match(Line("distributed_worker_decode_tokens_total", "16")));
        Assert.That(text, Does.Match(Line("distributed_worker_sequences_capacity", "4")));
        Assert.That(text, Does.Match(Line("distributed_worker_cached_prompt_tokens_total", "[1-9][0-9]*")), "the second run reused the first's prompt");
        Assert.That(text, Does.Match(Line("distributed_worker_kv_cells_used", "[1-9][0-9]*")), "the kept conversation's cells");
        Assert.That(text, Does.Match(Line("distributed_worker_kv_cells_capacity", "[1-9][0-9]*")));
        Assert.That(text, Does.Contain("distributed_worker_host_cache_bytes"));
        Assert.That(text, Does.Contain("distributed_worker_host_cache_save_time_seconds_total").And.Contain("distributed_worker_host_cache_restore_time_seconds_total"));
        Assert.That(text, Does.Not.Contain("Once upon"), "no prompt text in any label");
    }

    /// <summary>A Prometheus sample line of the metric for stories260K with the given value (labels in any order).</summary>
    private static string Line(string metric, string value) =>
        $"(?m)^{metric}\\{{[^}}]*gen_ai_request_model=\"stories260K\"[^}}]*\\}} {value}$";
}
