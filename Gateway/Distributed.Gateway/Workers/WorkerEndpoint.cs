using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Polly;
using Polly.CircuitBreaker;

namespace Distributed.Gateway.Workers;

/// <summary>One worker instance (one resolved address): its channel, last known status and catalog, and its circuit breaker.</summary>
public sealed class WorkerEndpoint : IDisposable
{
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private volatile bool _breakerOpen;
    private int _inFlight;
    private long _breakerOpenings;

    public WorkerEndpoint(Uri address, WorkersOptions options)
    {
        Address = address;
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                // More than 100 concurrent streams (the server's default per connection) open another connection.
                EnableMultipleHttp2Connections = true,
                KeepAlivePingDelay = options.KeepAlivePingDelay,
                KeepAlivePingTimeout = options.KeepAlivePingTimeout,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                PooledConnectionIdleTimeout = options.PooledConnectionIdleTimeout,
                ConnectTimeout = options.RequestTimeout,
            },
            // No ServiceConfig retry policy: retries are the gateway's own (Polly, across workers).
        });
        Client = new Inference.InferenceClient(Channel);
        Breaker = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakerDuration,
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(ex => ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown),
                StateProvider = _breakerState,
                OnOpened = _ =>
                {
                    _breakerOpen = true;
                    Interlocked.Increment(ref _breakerOpenings);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ => { _breakerOpen = false; return ValueTask.CompletedTask; },
                OnHalfOpened = _ => { _breakerOpen = false; return ValueTask.CompletedTask; },
            })
            .Build();
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public Inference.InferenceClient Client { get; }

    /// <summary>Opens after repeated transport failures, so routing skips the worker for a while.</summary>
    public ResiliencePipeline Breaker { get; }

    /// <summary>The breaker's state as Polly holds it: open stays open until the first call after the break duration (half-open).</summary>
    public CircuitState BreakerState => _breakerState.CircuitState;

    /// <summary>Times the breaker has opened since this endpoint was created.</summary>
    public long BreakerOpenings => Interlocked.Read(ref _breakerOpenings);

    public GetStatusReply? Status { get; set; }

    public ListModelsReply? Catalog { get; set; }

    public bool Healthy { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    public bool Available => Healthy && !_breakerOpen;

    /// <summary>Generations this gateway has open on the worker (its status is polled, so it lags behind).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Sequences busy on the worker: the larger of its last status and what this gateway has in flight there.</summary>
    public int Load => Math.Max(Status is { } s ? s.ActiveSequences + s.QueuedSequences : 0, InFlight);

    /// <summary>Sequences the worker runs at once for the model (its loaded status, else the worker's setting; 1 when unknown).</summary>
    public int Capacity(string model) =>
        FindModel(model) is { } info && LoadedStatus(info.Name) is { Capacity: > 0 } loaded ? loaded.Capacity : Math.Max(1, Status?.Capacity ?? 1);

    internal void BeginCall() => Interlocked.Increment(ref _inFlight);

    internal void EndCall() => Interlocked.Decrement(ref _inFlight);

    /// <summary>The catalog entry whose name or alias is <paramref name="model"/>.</summary>
    public ModelInfo? FindModel(string model) =>
        Catalog?.Models.FirstOrDefault(m => string.Equals(m.Name, model, StringComparison.OrdinalIgnoreCase))
        ?? Catalog?.Models.FirstOrDefault(m => m.Aliases.Contains(model, StringComparer.OrdinalIgnoreCase));

    public LoadedModelStatus? LoadedStatus(string canonicalName) =>
        Status?.Loaded.FirstOrDefault(m => string.Equals(m.Name, canonicalName, StringComparison.OrdinalIgnoreCase));

    public void Dispose() => Channel.Dispose();
}
