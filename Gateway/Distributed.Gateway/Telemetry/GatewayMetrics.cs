using System.Diagnostics;
using System.Diagnostics.Metrics;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Workers;
using Distributed.Sanitization;
using Polly.CircuitBreaker;

namespace Distributed.Gateway.Telemetry;

/// <summary>
/// The gateway's metrics (meter <c>Distributed.Gateway</c>): OpenTelemetry's generative-AI histograms as the
/// applications see them (time to first token, duration, time per output token, token usage by type), labelled with
/// the model and the worker that served the call, each worker's health and breaker state, limit rejections by kind and
/// sanitization findings by kind and direction (counts only). No request text, key or principal is ever a label: the
/// label values are model names, worker addresses and the fixed sets in <see cref="Limits.LimitKinds"/> and
/// <see cref="FindingKinds"/>.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Distributed.Gateway";

    /// <summary><c>distributed.sanitization.direction</c> of the prompt side.</summary>
    public const string Input = "input";

    /// <summary><c>distributed.sanitization.direction</c> of the answer side.</summary>
    public const string Output = "output";

    private static readonly double[] SecondsBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] TokenSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];

    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _firstToken;
    private readonly Histogram<double> _perOutputToken;
    private readonly Histogram<long> _tokens;
    private readonly Counter<long> _limitRejections;
    private readonly Counter<long> _findings;

    public GatewayMetrics(IMeterFactory meters, WorkerPool pool)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram("gen_ai.server.request.duration", "s", "Time from sending a generation to a worker to its last token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _firstToken = meter.CreateHistogram("gen_ai.server.time_to_first_token", "s", "Time from sending a generation to its first reply (worker choice, queue, prefill).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _perOutputToken = meter.CreateHistogram("gen_ai.server.time_per_output_token", "s", "Time per generated token after the first.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TokenSecondsBuckets });
        _tokens = meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Tokens per generation, by gen_ai.token.type (input, output).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        meter.CreateObservableGauge("distributed.gateway.worker.healthy", () => pool.Endpoints.Select(e =>
            new Measurement<int>(e.Healthy ? 1 : 0, Worker(e))), "1", "1 when the worker answered its last status poll.");
        meter.CreateObservableGauge("distributed.gateway.worker.available", () => pool.Endpoints.Select(e =>
            new Measurement<int>(e.Available ? 1 : 0, Worker(e))), "1", "1 when the worker is healthy and its circuit breaker is closed.");
        meter.CreateObservableGauge("distributed.gateway.worker.load", () => pool.Endpoints.Select(e =>
            new Measurement<int>(e.Load, Worker(e))), "{sequence}", "Sequences busy on the worker (its status, or this gateway's calls there).");
        meter.CreateObservableGauge("distributed.gateway.worker.breaker_state", () => pool.Endpoints.Select(e =>
            new Measurement<int>(BreakerStateValue(e.BreakerState), Worker(e))), "1", "The worker's circuit breaker: 0 closed, 1 half-open, 2 open, 3 isolated.");
        meter.CreateObservableCounter("distributed.gateway.worker.breaker_opened", () => pool.Endpoints.Select(e =>
            new Measurement<long>(e.BreakerOpenings, Worker(e))), "{opening}", "Times the worker's circuit breaker opened.");
        _limitRejections = meter.CreateCounter<long>("distributed.gateway.limit.rejections", "{request}", "Requests refused by a limit, by distributed.limit.kind.");
        _findings = meter.CreateCounter<long>("distributed.gateway.sanitization.findings", "{finding}",
            "Values the sanitizer redacted, stripped or flagged, by distributed.sanitization.kind and distributed.sanitization.direction (input, output).");
    }

    /// <summary>A request refused by a limit; <paramref name="kind"/> is one of <see cref="Limits.LimitKinds"/>.</summary>
    public void RecordLimitRejection(string kind) => _limitRejections.Add(1, new KeyValuePair<string, object?>("distributed.limit.kind", kind));

    /// <summary>What the sanitizer found in one text; <paramref name="direction"/> is <see cref="Input"/> or <see cref="Output"/>. Kinds and counts only.</summary>
    public void RecordFindings(IReadOnlyList<SanitizationFinding> findings, string direction)
    {
        foreach (var finding in findings)
        {
            _findings.Add(
                finding.Count,
                new KeyValuePair<string, object?>("distributed.sanitization.kind", finding.Kind),
                new KeyValuePair<string, object?>("distributed.sanitization.direction", direction));
        }
    }

    /// <summary>One generation that ended (with its last reply), timed from <paramref name="started"/> (a Stopwatch timestamp).</summary>
    public void RecordGeneration(string model, WorkerEndpoint worker, long started, long firstReply, GenerateReply last)
    {
        var tags = new TagList { { "gen_ai.request.model", model }, { "distributed.worker", worker.Address.ToString() } };
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _duration.Record(seconds, tags);
        _firstToken.Record(Stopwatch.GetElapsedTime(started, firstReply).TotalSeconds, tags);
        if (last.Usage is { } usage)
        {
            if (usage.CompletionTokens > 1)
            {
                _perOutputToken.Record(Stopwatch.GetElapsedTime(firstReply).TotalSeconds / (usage.CompletionTokens - 1), tags);
            }

            var input = tags;
            input.Add("gen_ai.token.type", "input");
            _tokens.Record(usage.PromptTokens, input);
            var output = tags;
            output.Add("gen_ai.token.type", "output");
            _tokens.Record(usage.CompletionTokens, output);
        }
    }

    private static int BreakerStateValue(CircuitState state) => state switch
    {
        CircuitState.Closed => 0,
        CircuitState.HalfOpen => 1,
        CircuitState.Open => 2,
        _ => 3, // Isolated (manual); the gateway never isolates a worker.
    };

    private static KeyValuePair<string, object?> Worker(WorkerEndpoint endpoint) => new("distributed.worker", endpoint.Address.ToString());
}
