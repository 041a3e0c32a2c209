using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Distributed.InferenceWorker.Services;

/// <summary>
/// Calls refused because a model's queue was full (RESOURCE_EXHAUSTED): counted per model and in all (reported by
/// GetStatus and the <c>distributed.worker.rejected</c> counter of the <c>Distributed.InferenceWorker</c> meter) and
/// logged at most once per model per <see cref="LogInterval"/>, with how many were refused since the previous line.
/// Under overload that is one line every ten seconds instead of one per refused call.
/// </summary>
public sealed partial class RejectionCounter
{
    public const string MeterName = "Distributed.InferenceWorker";

    /// <summary>At most one log line per model per interval.</summary>
    public static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, ModelRejections> _models = new(StringComparer.Ordinal);
    private readonly ILogger<RejectionCounter> _logger;
    private readonly TimeProvider _time;
    private readonly Counter<long> _counter;
    private long _total;

    public RejectionCounter(ILogger<RejectionCounter> logger, IMeterFactory meters, TimeProvider? time = null)
    {
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _counter = meters.Create(MeterName).CreateCounter<long>(
            "distributed.worker.rejected", unit: "{call}", description: "Generate calls refused because the model's queue was full.");
    }

    /// <summary>Every refusal since the worker started, all models together.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Refusals of <paramref name="model"/> since the worker started (0 for a model never refused).</summary>
    public long For(string model) => _models.TryGetValue(model, out var counts) ? counts.Total : 0;

    public void Record(string model)
    {
        Interlocked.Increment(ref _total);
        _counter.Add(1, new KeyValuePair<string, object?>("model", model));
        var counts = _models.GetOrAdd(model, _ => new ModelRejections());
        long? report = null;
        var now = _time.GetTimestamp();
        lock (counts)
        {
            counts.Total++;
            counts.SinceReport++;
            if (counts.LastReport is null || _time.GetElapsedTime(counts.LastReport.Value, now) >= LogInterval)
            {
                report = counts.SinceReport;
                counts.SinceReport = 0;
                counts.LastReport = now;
            }
        }

        if (report is { } count)
        {
            LogRejected(_logger, model, count, Total);
        }
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning,
        Message = "Refused {Count} Generate calls for {Model} since the last report: its queue is full ({Total} refused in all since start)")]
    private static partial void LogRejected(ILogger logger, string model, long count, long total);

    private sealed class ModelRejections
    {
        public long Total;
        public long SinceReport;
        public long? LastReport;
    }
}
