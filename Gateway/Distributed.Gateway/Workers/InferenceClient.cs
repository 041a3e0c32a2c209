using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Distributed.Grpc;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Distributed.Gateway.Workers;

/// <summary>
/// Generation and model loads on the workers, with Polly: each worker's calls go through its circuit breaker, and a
/// generation that fails before its first reply is retried on another worker (never after a token was streamed).
/// </summary>
public sealed partial class InferenceClient
{
    private readonly WorkerRouter _router;
    private readonly WorkerMonitor _monitor;
    private readonly WorkersOptions _options;
    private readonly GatewayOptions _gateway;
    private readonly ResiliencePipeline _retry;

    public InferenceClient(WorkerRouter router, WorkerMonitor monitor, IOptions<WorkersOptions> options, IOptions<GatewayOptions> gateway)
    {
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
        await using var stream = await OpenAsync(request, ct);
        yield return stream.First;
        while (true)
        {
            bool more;
            try
            {
                more = await stream.Rest.MoveNextAsync();
            }
            catch (RpcException ex) when (!ct.IsCancellationRequested)
            {
                throw Map(ex);
            }

            if (!more)
            {
                yield break;
            }

            yield return stream.Rest.Current;
        }
    }

    /// <summary>Loads a model on the best worker for it (a no-op where it is already loaded) and refreshes routing.</summary>
    public async Task<string> LoadModelAsync(string model, CancellationToken ct)
    {
        var worker = _router.Pick(model, new HashSet<WorkerEndpoint>())
            ?? throw ApiException.Unavailable($"No healthy worker can serve '{model}'.");
        try
        {
            var reply = await worker.Breaker.ExecuteAsync(
                async token => await worker.Channel.UnaryAsync(
                    InferenceMethods.LoadModel,
                    new LoadModelRequest { Name = model },
                    new CallOptions(Deadline: DateTime.UtcNow + _options.LoadTimeout, CancellationToken: token)),
                ct);
            await _monitor.PollAsync(worker, ct);
            return reply.Message;
        }
        catch (RpcException ex)
        {
            throw Map(ex);
        }
        catch (BrokenCircuitException)
        {
            throw ApiException.Unavailable($"Worker {worker.Address} is failing; try again shortly.");
        }
    }

    private async Task<GenerationStream> OpenAsync(GenerateRequest request, CancellationToken ct)
    {
        var excluded = new HashSet<WorkerEndpoint>();
        RpcException? lastError = null;
        try
        {
            return await _retry.ExecuteAsync(
                async token =>
                {
                    var worker = _router.Pick(request.Model, excluded);
                    if (worker is null)
                    {
                        throw lastError is not null ? Map(lastError) : ApiException.Unavailable($"No healthy worker can serve '{request.Model}'.");
                    }

                    try
                    {
                        return await worker.Breaker.ExecuteAsync(t => new ValueTask<GenerationStream>(StartAsync(worker, request, t)), token);
                    }
                    catch (RpcException ex) when (IsRetryable(ex) && !token.IsCancellationRequested)
                    {
                        excluded.Add(worker);
                        lastError = ex;
                        throw new WorkerAttemptFailedException(worker, ex);
                    }
                    catch (BrokenCircuitException)
                    {
                        excluded.Add(worker);
                        lastError = new RpcException(StatusCode.Unavailable, $"Worker {worker.Address} is failing (circuit open).");
                        throw new WorkerAttemptFailedException(worker, lastError);
                    }
                },
                ct);
        }
        catch (WorkerAttemptFailedException ex)
        {
            throw Map(ex.Error);
        }
        catch (RpcException ex)
        {
            // Not retryable (e.g. INVALID_ARGUMENT: the prompt does not fit the context): still an HTTP status, not a 500.
            throw Map(ex);
        }
    }

    private async Task<GenerationStream> StartAsync(WorkerEndpoint worker, GenerateRequest request, CancellationToken ct)
    {
        // The first reply comes after queueing, a possible model load and the prefill; it has its own, shorter timeout.
        var timeouts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeouts.CancelAfter(_options.FirstTokenTimeout);
        var call = new CallOptions(Deadline: DateTime.UtcNow + _gateway.GenerationTimeout, CancellationToken: timeouts.Token);
        var replies = worker.Channel.ServerStreamingAsync(InferenceMethods.Generate, request, call).GetAsyncEnumerator(CancellationToken.None);
        try
        {
            if (!await replies.MoveNextAsync())
            {
                throw new RpcException(StatusCode.Internal, "The worker ended the stream without a reply.");
            }

            timeouts.CancelAfter(Timeout.InfiniteTimeSpan);
            return new GenerationStream(worker, replies.Current, replies, timeouts);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException && timeouts.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            await replies.DisposeAsync();
            timeouts.Dispose();
            throw new ApiException(StatusCodes.Status504GatewayTimeout, "Gateway timeout", $"The worker did not start answering within {_options.FirstTokenTimeout.TotalSeconds:F0} s.");
        }
        catch
        {
            await replies.DisposeAsync();
            timeouts.Dispose();
            throw;
        }
    }

    private static bool IsRetryable(RpcException ex) =>
        ex.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.NotFound or StatusCode.Aborted or StatusCode.Unknown or StatusCode.Internal;

    /// <summary>Worker status → HTTP status.</summary>
    internal static Exception Map(RpcException ex) => ex.StatusCode switch
    {
        StatusCode.InvalidArgument when PromptTooLong().Match(ex.Detail) is { Success: true } m =>
            new PromptTooLongException(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), $"The conversation does not fit the model's context: {ex.Detail}"),
        StatusCode.InvalidArgument => ApiException.BadRequest("query", ex.Detail),
        StatusCode.NotFound => new ApiException(StatusCodes.Status400BadRequest, "Unknown model", ex.Detail) { Field = "model_name" },
        StatusCode.DeadlineExceeded => new ApiException(StatusCodes.Status504GatewayTimeout, "Gateway timeout", "The worker did not finish in time."),
        StatusCode.Cancelled => new OperationCanceledException(ex.Detail),
        StatusCode.Unavailable or StatusCode.ResourceExhausted => ApiException.Unavailable($"No worker can take the request now: {ex.Detail}", 2),
        StatusCode.FailedPrecondition => new ApiException(StatusCodes.Status502BadGateway, "Model unavailable", ex.Detail),
        _ => new ApiException(StatusCodes.Status502BadGateway, "Worker error", $"The worker failed: {ex.StatusCode}."),
    };

    [GeneratedRegex(@"prompt has (\d+) tokens but a sequence holds (\d+)")]
    private static partial Regex PromptTooLong();
}
