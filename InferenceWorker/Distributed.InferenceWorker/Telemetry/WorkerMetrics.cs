using System.Diagnostics.Metrics;
using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Models;
using Distributed.InferenceWorker.Services;

namespace Distributed.InferenceWorker.Telemetry;

/// <summary>
/// The worker's metrics (meter <c>Distributed.InferenceWorker</c>): OpenTelemetry's generative-AI server histograms per
/// model, the tokens prefilled, served from cache and generated, and gauges read from the engines and the host KV tier
/// at scrape time. Labels carry model names only, nothing from a request.
/// </summary>
public sealed class WorkerMetrics
{
    public const string MeterName = RejectionCounter.MeterName;

    private static readonly double[] SecondsBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
    private static readonly double[] TokenSecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1];

    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _firstToken;
    private readonly Histogram<double> _perOutputToken;
    private readonly Counter<long> _prefilled;
    private readonly Counter<long> _cached;
    private readonly Counter<long> _generated;

    public WorkerMetrics(IMeterFactory meters, ModelManager models, HostKvCache hostCache)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram("gen_ai.server.request.duration", "s", "Time from receiving a Generate call to its last token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _firstToken = meter.CreateHistogram("gen_ai.server.time_to_first_token", "s", "Time from receiving a Generate call to its first token (queue and prefill).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
        _perOutputToken = meter.CreateHistogram("gen_ai.server.time_per_output_token", "s", "Decode time per generated token after the first.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TokenSecondsBuckets });
        _prefilled = meter.CreateCounter<long>("distributed.worker.prefill_tokens", "{token}", "Prompt tokens computed (not served from cache).");
        _cached = meter.CreateCounter<long>("distributed.worker.cached_prompt_tokens", "{token}", "Prompt tokens served from a kept KV cache.");
        _generated = meter.CreateCounter<long>("distributed.worker.decode_tokens", "{token}", "Tokens generated.");

        meter.CreateObservableGauge("distributed.worker.sequences.active", () => PerModel(models, m => m.Engine.ActiveSequences), "{sequence}", "Sequences generating now.");
        meter.CreateObservableGauge("distributed.worker.sequences.queued", () => PerModel(models, m => m.Engine.QueuedSequences), "{sequence}", "Requests waiting for a sequence slot.");
        meter.CreateObservableGauge("distributed.worker.sequences.capacity", () => PerModel(models, m => m.Engine.Capacity), "{sequence}", "Sequences decoded together.");
        meter.CreateObservableGauge("distributed.worker.kv_cells.used", () => PerModel(models, m => m.Engine.UsedCells), "{cell}", "KV cells held by the model's sequences (generating, and conversations kept for their next turn).");
        meter.CreateObservableGauge("distributed.worker.kv_cells.capacity", () => PerModel(models, m => (long)m.Engine.Capacity * m.Engine.ContextLength), "{cell}", "KV cells the model's context has (sequences x context per sequence).");
        meter.CreateObservableGauge("distributed.worker.model.memory", () => PerModel(models, m => m.MemoryBytes), "By", "Memory a resident model uses.");
        meter.CreateObservableGauge("distributed.worker.model.load_time", () => PerModel(models, m => m.LoadMs / 1000), "s", "How long loading the resident model took.");
        meter.CreateObservableGauge("distributed.worker.host_cache.bytes", () => hostCache.Stats.Bytes, "By", "Saved sequence states in host memory.");
        meter.CreateObservableGauge("distributed.worker.host_cache.entries", () => hostCache.Stats.Entries, "{entry}", "Conversations saved in host memory.");
        meter.CreateObservableCounter("distributed.worker.host_cache.hits", () => hostCache.Stats.Hits, "{turn}", "Turns that restored their conversation from host memory.");
        meter.CreateObservableCounter("distributed.worker.host_cache.misses", () => hostCache.Stats.Misses, "{turn}", "Turns whose conversation was neither in a slot nor in host memory.");
        meter.CreateObservableCounter("distributed.worker.host_cache.evictions", () => hostCache.Stats.Evictions, "{entry}", "Saved states dropped for room.");
        meter.CreateObservableCounter("distributed.worker.host_cache.saves", () => hostCache.Stats.Saves, "{entry}", "Sequence states saved to host memory.");
        // Both on the decode loop's thread: every sequence of the model waits while a state is copied.
        meter.CreateObservableCounter("distributed.worker.host_cache.save.time", () => hostCache.Stats.SaveMs / 1000, "s", "Time spent saving sequence states.");
        meter.CreateObservableCounter("distributed.worker.host_cache.restore.time", () => hostCache.Stats.RestoreMs / 1000, "s", "Time spent restoring sequence states.");
    }

    public void RecordGeneration(string model, GenerationResult result)
    {
        var tags = new KeyValuePair<string, object?>("gen_ai.request.model", model);
        _duration.Record(result.TotalMs / 1000, tags);
        if (result.CompletionTokens > 0)
        {
            _firstToken.Record((result.QueuedMs + result.PrefillMs) / 1000, tags);
        }

        if (result.DecodeTokensPerSecond > 0)
        {
            _perOutputToken.Record(1 / result.DecodeTokensPerSecond, tags);
        }

        _prefilled.Add(result.PromptTokens - result.CachedTokens, tags);
        _cached.Add(result.CachedTokens, tags);
        _generated.Add(result.CompletionTokens, tags);
    }

    private static IEnumerable<Measurement<T>> PerModel<T>(ModelManager models, Func<LoadedModel, T> value)
        where T : struct =>
        models.Loaded.Select(m => new Measurement<T>(value(m), new KeyValuePair<string, object?>("gen_ai.request.model", m.Name)));
}
