using System.Diagnostics;
using Distributed.Contracts.Inference.V1;
using Distributed.Grpc;

namespace Distributed.Bench.Benchmark;

/// <summary>An InferenceWorker, through its gRPC API.</summary>
public sealed class GrpcWorkerTarget(Uri address, string model, TimeSpan timeout) : IGenerationTarget
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(address);

    public async Task<WorkerSummary> PrepareAsync(CancellationToken cancellationToken)
    {
        var load = await _channel.UnaryAsync(InferenceMethods.LoadModel, new LoadModelRequest { Name = model }, CallOptionsFor(cancellationToken));
        var status = await _channel.UnaryAsync(InferenceMethods.GetStatus, new GetStatusRequest(), CallOptionsFor(cancellationToken));
        return new WorkerSummary(status.WorkerId, status.Backend, status.Capacity, load.Model?.Name ?? model,
            load.Model?.Parameters ?? 0, load.Model?.ContextLength ?? 0, load.LoadMs, load.MemoryBytes, load.AlreadyLoaded, load.Message);
    }

    public async Task<RequestResult> GenerateAsync(string prompt, int maxTokens, uint seed, CancellationToken cancellationToken)
    {
        var request = new GenerateRequest
        {
            Model = model,
            Prompt = prompt,
            Sampling = new SamplingParams { MaxTokens = maxTokens, Temperature = 0f, Seed = seed },
        };

        var start = Stopwatch.GetTimestamp();
        double? firstMs = null;
        GenerateReply? final = null;
        await foreach (var reply in _channel.ServerStreamingAsync(InferenceMethods.Generate, request, CallOptionsFor(cancellationToken))
                           .WithCancellation(cancellationToken))
        {
            var finished = reply.FinishReason != FinishReason.Unspecified;
            if (firstMs is null && (reply.Delta.Length > 0 || finished))
            {
                firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            if (finished)
            {
                final = reply;
            }
        }

        var totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (final is null)
        {
            throw new RpcException(StatusCode.Internal, "The Generate stream ended without a final reply.");
        }

        var prompted = final.Usage?.PromptTokens ?? 0;
        var timings = final.Timings ?? new Timings();
        var serverPrefill = timings.PrefillTokensPerSecond > 0
            ? timings.PrefillTokensPerSecond
            : timings.PrefillMs > 0 ? prompted / (timings.PrefillMs / 1000.0) : 0;
        return RequestResult.Create(prompted, final.Usage?.CompletionTokens ?? 0, final.Usage?.CachedTokens ?? 0, final.FinishReason.ToString(),
            firstMs ?? totalMs, totalMs, timings.QueuedMs, timings.PrefillMs, serverPrefill, timings.DecodeTokensPerSecond, timings.TotalMs);
    }

    public void Dispose() => _channel.Dispose();

    private CallOptions CallOptionsFor(CancellationToken cancellationToken) =>
        new(Deadline: DateTime.UtcNow + timeout, CancellationToken: cancellationToken);
}
