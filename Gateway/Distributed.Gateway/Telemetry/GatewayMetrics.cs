using System.Diagnostics;
using System.Diagnostics.Metrics;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Workers;

namespace Distributed.Gateway.Telemetry;

/// <summary>
/// The gateway's metrics (meter <c>Distributed.Gateway</c>): OpenTelemetry's generative-AI histograms as the
/// applications see them (time to first token, duration, time per output token, token usage by type), labelled with
/// the model and the worker that served the call, and each worker's health and breaker state. No request text, key
/// or principal is ever a label.
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "Distributed.Gateway";

    private static readonly double[] SecondsBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] TokenSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536];

    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _firstToken;
    private readonly Histogram<double> _perOutputToken;
    private readonly Histogram<long> _tokens;

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

    private static KeyValuePair<string, object?> Worker(WorkerEndpoint endpoint) => new("distributed.worker", endpoint.Address.ToString());
}
