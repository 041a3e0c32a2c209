using System.Diagnostics;
using Distributed.Contracts.Inference.V1;
using Distributed.Contracts;
using Grpc.Core;
using Grpc.Net.Client;

namespace Distributed.Bench.Benchmark;

/// <summary>
/// An InferenceWorker through its gRPC API, directly or through the gateway's gRPC front door (with an API key; the
/// model header routes the call there and is ignored by a worker).
/// </summary>
public sealed class GrpcWorkerTarget : IGenerationTarget
{
    private readonly GrpcChannel _channel;
    private readonly Inference.InferenceClient _client;
    private readonly string _model;
    private readonly TimeSpan _timeout;
    private readonly Metadata _headers;

    public GrpcWorkerTarget(Uri address, string model, TimeSpan timeout, string? apiKey = null)
    {
        _channel = GrpcChannel.ForAddress(address);
        _client = new Inference.InferenceClient(_channel);
        _model = model;
        _timeout = timeout;
        _headers = new Metadata { { InferenceHeaders.Model, model } };
        if (apiKey is not null)
        {
            _headers.Add("x-api-key", apiKey);
        }
    }

    public async Task<WorkerSummary> PrepareAsync(CancellationToken cancellationToken)
    {
        var load = await _client.LoadModelAsync(new LoadModelRequest { Name = _model }, CallOptionsFor(cancellationToken));
        var status = await _client.GetStatusAsync(new GetStatusRequest(), CallOptionsFor(cancellationToken));
        return new WorkerSummary(status.WorkerId, status.Backend, status.Capacity, load.Model?.Name ?? _model,
            load.Model?.Parameters ?? 0, load.Model?.ContextLength ?? 0, load.LoadMs, load.MemoryBytes, load.AlreadyLoaded, load.Message);
    }

    public async Task<RequestResult> GenerateAsync(string prompt, int maxTokens, uint seed, CancellationToken cancellationToken)
    {
        var request = new GenerateRequest
        {
            Model = _model,
            Prompt = prompt,
            Sampling = new SamplingParams { MaxTokens = maxTokens, Temperature = 0f, Seed = seed },
        };

        var start = Stopwatch.GetTimestamp();
        double? firstMs = null;
        GenerateReply? final = null;
        using var call = _client.Generate(request, CallOptionsFor(cancellationToken));
        await foreach (var reply in call.ResponseStream.ReadAllAsync(cancellationToken))
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
            throw new RpcException(new Status(StatusCode.Internal, "The Generate stream ended without a final reply."));
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
        new(_headers, DateTime.UtcNow + _timeout, cancellationToken);
}
