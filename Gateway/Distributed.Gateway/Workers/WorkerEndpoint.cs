using Distributed.Contracts.Inference.V1;
using Distributed.Grpc;
using Polly;
using Polly.CircuitBreaker;

namespace Distributed.Gateway.Workers;

/// <summary>One worker instance (one resolved address): its channel, last known status and catalog, and its circuit breaker.</summary>
public sealed class WorkerEndpoint : IDisposable
{
    private volatile bool _breakerOpen;

    public WorkerEndpoint(Uri address, WorkersOptions options)
    {
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Breaker = new ResiliencePipelineBuilder()
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = 3,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = options.BreakerDuration,
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(ex => ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown),
                OnOpened = _ => { _breakerOpen = true; return ValueTask.CompletedTask; },
                OnClosed = _ => { _breakerOpen = false; return ValueTask.CompletedTask; },
                OnHalfOpened = _ => { _breakerOpen = false; return ValueTask.CompletedTask; },
            })
            .Build();
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    /// <summary>Opens after repeated transport failures, so routing skips the worker for a while.</summary>
    public ResiliencePipeline Breaker { get; }

    public GetStatusReply? Status { get; set; }

    public ListModelsReply? Catalog { get; set; }

    public bool Healthy { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LastSeen { get; set; }

    public bool Available => Healthy && !_breakerOpen;

    /// <summary>The catalog entry whose name or alias is <paramref name="model"/>.</summary>
    public ModelInfo? FindModel(string model) =>
        Catalog?.Models.FirstOrDefault(m => string.Equals(m.Name, model, StringComparison.OrdinalIgnoreCase))
        ?? Catalog?.Models.FirstOrDefault(m => m.Aliases.Contains(model, StringComparer.OrdinalIgnoreCase));

    public LoadedModelStatus? LoadedStatus(string canonicalName) =>
        Status?.Loaded.FirstOrDefault(m => string.Equals(m.Name, canonicalName, StringComparison.OrdinalIgnoreCase));

    public void Dispose() => Channel.Dispose();
}
