using System.Diagnostics;
using System.Runtime.CompilerServices;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Telemetry;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Distributed.Gateway.Workers;

/// <summary>
/// Generation and model loads on the workers, with Polly: each worker's calls go through its circuit breaker, and a
/// generation that fails before its first reply is retried on another worker (never after a token was streamed).
/// The gRPC edge of the gateway: worker statuses become <see cref="ApiException"/>s here (<see cref="WorkerErrors"/>).
/// </summary>
public sealed class InferenceClient
{
    private readonly WorkerRouter _router;
    private readonly WorkerMonitor _monitor;
    private readonly WorkersOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly ResiliencePipeline _retry;
    private readonly GatewayMetrics _metrics;

    public InferenceClient(WorkerRouter router, WorkerMonitor monitor, GatewayMetrics metrics, IOptions<WorkersOptions> options, IOptions<GatewayOptions> gateway)
    {
        _metrics = metrics;
        _router = router;
        _monitor = monitor;
        _options = options.Value;
        _gateway = gateway.Value;
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, _options.MaxAttempts - 1),
                Delay = TimeSpan.FromMilliseconds(50),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<WorkerAttemptFailedException>(),
            })
            .Build();
    }

    /// <summary>Streams a generation. Errors become <see cref="ApiException"/>s with the right HTTP status.</summary>
    public async IAsyncEnumerable<GenerateReply> GenerateAsync(GenerateRequest request, [EnumeratorCancellation] CancellationToken ct)
    {
        using var activity = GatewayTracing.StartGeneration(request.Model);
        var started = Stopwatch.GetTimestamp();
        using var stream = await OpenAsync(request, ct);
        var firstReply = Stopwatch.GetTimestamp();
        GatewayTracing.RecordWorker(activity, stream.Worker);
        Record(request, stream, started, firstReply, stream.First, activity);
        yield return stream.First;
        while (true)
        {
            bool more;
            try
            {
                more = await stream.Call.ResponseStream.MoveNext(CancellationToken.None);
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested)
            {
                GatewayTracing.RecordError(activity, ex);
                throw Fail(ex);
            }

            if (!more)
            {
                yield break;
            }

            Record(request, stream, started, firstReply, stream.Call.ResponseStream.Current, activity);
            yield return stream.Call.ResponseStream.Current;
        }
    }

    /// <summary>
    /// A whole generation, for a client that waits for the complete answer (nothing reaches it before the end): a
    /// worker that fails mid-answer (it died, or its stream broke) is like one that failed before its first reply,
    /// and the generation starts over on another worker, up to <see cref="WorkersOptions.MaxAttempts"/> workers.
    /// </summary>
    public async Task<IReadOnlyList<GenerateReply>> CompleteAsync(GenerateRequest request, CancellationToken ct)
    {
        var excluded = new HashSet<WorkerEndpoint>();
        RpcException? lastError = null;
        for (var attempt = 1; ; attempt++)
        {
            using var activity = GatewayTracing.StartGeneration(request.Model);
            var started = Stopwatch.GetTimestamp();
            using var stream = await OpenAsync(request, ct, excluded, lastError);
            var firstReply = Stopwatch.GetTimestamp();
            GatewayTracing.RecordWorker(activity, stream.Worker);
            var replies = new List<GenerateReply> { stream.First };
            try
            {
                while (await stream.Call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    replies.Add(stream.Call.ResponseStream.Current);
                }

                Record(request, stream, started, firstReply, replies[^1], activity);
                return replies;
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested && WorkerErrors.IsRetryable(ex) && attempt < Math.Max(1, _options.MaxAttempts))
            {
                GatewayTracing.RecordError(activity, ex);
                excluded.Add(stream.Worker);
                lastError = ex;
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested)
            {
                throw Fail(ex);
            }
        }
    }

    /// <summary>The generation's metrics, once its last reply (the one with a finish reason) has arrived.</summary>
    private void Record(GenerateRequest request, GenerationStream stream, long started, long firstReply, GenerateReply reply, Activity? activity)
    {
        if (reply.FinishReason != FinishReason.Unspecified)
        {
            _metrics.RecordGeneration(request.Model, stream.Worker, started, firstReply, reply);
            GatewayTracing.RecordReply(activity, reply);
        }
    }

    /// <summary>
    /// The worker's error as the client's, counting the gateway's answer when it is a capacity refusal: every worker
    /// tried was full (or out of memory) and the call is refused with 503.
    /// </summary>
    private Exception Fail(RpcException ex)
    {
        if (ex.StatusCode == StatusCode.ResourceExhausted)
        {
            switch (WorkerErrors.Detail(ex)?.Reason)
            {
                case ErrorReason.QueueFull:
                    _metrics.RecordLimitRejection(LimitKinds.QueueFull);
                    break;
                case ErrorReason.NoMemory:
                    _metrics.RecordLimitRejection(LimitKinds.WorkerMemory);
                    break;
            }
        }

        return WorkerErrors.Map(ex);
    }

    /// <summary>Loads a model on the best worker for it (a no-op where it is already loaded) and refreshes routing.</summary>
    public async Task<string> LoadModelAsync(string model, CancellationToken ct)
    {
        var worker = _router.Pick(model, new HashSet<WorkerEndpoint>())
            ?? throw ApiException.Unavailable($"No healthy worker can serve '{model}'.");
        try
        {
            var reply = await worker.Breaker.ExecuteAsync(
                async token => await worker.Client.LoadModelAsync(
                    new LoadModelRequest { Name = model },
                    new CallOptions(deadline: DateTime.UtcNow + _options.LoadTimeout, cancellationToken: token)),
                ct);
            await _monitor.PollAsync(worker, ct);
            return reply.Message;
        }
        catch (RpcException ex)
        {
            throw Fail(ex);
        }
        catch (BrokenCircuitException)
        {
            throw ApiException.Unavailable($"Worker {worker.Address} is failing; try again shortly.");
        }
    }

    /// <summary>Unloads a model from one worker; true when it was loaded there. A model still generating is a 409.</summary>
    public async Task<bool> UnloadModelAsync(WorkerEndpoint worker, string model, CancellationToken ct)
    {
        try
        {
            var reply = await worker.Client.UnloadModelAsync(
                new UnloadModelRequest { Name = model },
                new CallOptions(deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: ct));
            await _monitor.PollAsync(worker, ct);
            return reply.WasLoaded;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.FailedPrecondition)
        {
            throw new ApiException(StatusCodes.Status409Conflict, "Model busy", ex.Status.Detail);
        }
        catch (RpcException ex)
        {
            throw Fail(ex);
        }
    }

    /// <param name="excluded">Workers not to try (they failed this generation already); grows with every failed attempt.</param>
    /// <param name="lastError">Their last error, the answer when no other worker is left.</param>
    private async Task<GenerationStream> OpenAsync(
        GenerateRequest request, CancellationToken ct, HashSet<WorkerEndpoint>? excluded = null, RpcException? lastError = null)
    {
        excluded ??= [];
        try
        {
            return await _retry.ExecuteAsync(
                async token =>
                {
                    WorkerEndpoint? worker;
                    using (var route = GatewayTracing.Start("worker.route"))
                    {
                        worker = _router.Pick(request.Model, excluded, request.CacheKey);
                        route?.SetTag("distributed.worker", worker?.Address.ToString());
                    }

                    if (worker is null)
                    {
                        throw lastError is not null ? Fail(lastError) : ApiException.Unavailable($"No healthy worker can serve '{request.Model}'.");
                    }

                    try
                    {
                        return await worker.Breaker.ExecuteAsync(t => new ValueTask<GenerationStream>(StartAsync(worker, request, t)), token);
                    }
                    catch (RpcException ex) when (WorkerErrors.IsRetryable(ex) && !token.IsCancellationRequested)
                    {
                        excluded.Add(worker);
                        lastError = ex;
                        throw new WorkerAttemptFailedException(worker, ex);
                    }
                    catch (BrokenCircuitException)
                    {
                        excluded.Add(worker);
                        lastError = new RpcException(new Status(StatusCode.Unavailable, $"Worker {worker.Address} is failing (circuit open)."));
                        throw new WorkerAttemptFailedException(worker, lastError);
                    }
                },
                ct);
        }
        catch (WorkerAttemptFailedException ex)
        {
            throw Fail(ex.Error);
        }
        catch (RpcException ex)
        {
            // Not retryable (e.g. INVALID_ARGUMENT: the prompt does not fit the context): still an HTTP status, not a 500.
            throw Fail(ex);
        }
    }

    private async Task<GenerationStream> StartAsync(WorkerEndpoint worker, GenerateRequest request, CancellationToken ct)
    {
        // The first reply comes after queueing, a possible model load and the prefill; it has its own, shorter timeout.
        var timeouts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeouts.CancelAfter(_options.FirstTokenTimeout);
        var call = worker.Client.Generate(request, new CallOptions(deadline: DateTime.UtcNow + _gateway.GenerationTimeout, cancellationToken: timeouts.Token));
        worker.BeginCall();
        try
        {
            if (!await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                throw new RpcException(new Status(StatusCode.Internal, "The worker ended the stream without a reply."));
            }

            timeouts.CancelAfter(Timeout.InfiniteTimeSpan);
            return new GenerationStream(worker, call.ResponseStream.Current, call, timeouts);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException && timeouts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            call.Dispose();
            timeouts.Dispose();
            worker.EndCall();
            throw new ApiException(StatusCodes.Status504GatewayTimeout, "Gateway timeout", $"The worker did not start answering within {_options.FirstTokenTimeout.TotalSeconds:F0} s.");
        }
        catch
        {
            call.Dispose();
            timeouts.Dispose();
            worker.EndCall();
            throw;
        }
    }
}
