using System.Diagnostics.Metrics;
using Distributed.Gateway.Telemetry;
using StackExchange.Redis.Profiling;

namespace Distributed.Gateway.Storage;

/// <summary>
/// <c>db.client.operation.duration</c> (OpenTelemetry database conventions) of every Redis command the gateway sends,
/// by <c>db.operation.name</c> = the Redis command (GET, EVALSHA, ...). StackExchange.Redis publishes no meter, but
/// its profiler times each command from creation to the parsed reply: the multiplexer hands every completed command to
/// one shared session (a lock-free list), and this service moves them into the histogram every second. One place for
/// all stores; per command only the profiler's small record, no tags built.
/// </summary>
public sealed class RedisCommandMetrics : BackgroundService
{
    public const string DurationName = "db.client.operation.duration";

    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    // The semantic conventions' advice for db.client.operation.duration.
    private static readonly double[] SecondsBuckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

    private readonly ProfilingSession _session = new();
    private readonly Histogram<double> _duration;
    private volatile bool _running;

    public RedisCommandMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(GatewayMetrics.MeterName);
        _duration = meter.CreateHistogram(DurationName, "s", "Redis command duration, from the call to its parsed reply.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets });
    }

    /// <summary>For <see cref="StackExchange.Redis.IConnectionMultiplexer.RegisterProfiler"/>: none while nothing flushes, so nothing piles up.</summary>
    public ProfilingSession? CurrentSession() => _running ? _session : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _running = true;
        try
        {
            using var timer = new PeriodicTimer(FlushInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        finally
        {
            _running = false;
            Flush();
        }
    }

    private void Flush()
    {
        foreach (var command in _session.FinishProfiling())
        {
            _duration.Record(
                command.ElapsedTime.TotalSeconds,
                new KeyValuePair<string, object?>("db.system.name", "redis"),
                new KeyValuePair<string, object?>("db.operation.name", command.Command));
        }
    }
}
