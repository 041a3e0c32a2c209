using Distributed.Contracts;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Distributed.Bench.Chat;

/// <summary>
/// An InferenceWorker over gRPC: the client keeps the history and sends it as chat messages, with a new id per
/// conversation as the cache key (what the gateway sends).
/// </summary>
public sealed class WorkerChatTarget : IChatTarget
{
    private readonly GrpcChannel _channel;
    private readonly Inference.InferenceClient _client;
    private readonly ChatOptions _options;
    private readonly Metadata _headers;

    public WorkerChatTarget(ChatOptions options)
    {
        _options = options;
        _channel = GrpcChannel.ForAddress(options.Address);
        _client = new Inference.InferenceClient(_channel);
        _headers = new Metadata { { InferenceHeaders.Model, options.Model } };
    }

    public async Task<string> PrepareAsync(CancellationToken cancellationToken)
    {
        var load = await _client.LoadModelAsync(new LoadModelRequest { Name = _options.Model }, CallOptions(cancellationToken));
        var status = await _client.GetStatusAsync(new GetStatusRequest(), CallOptions(cancellationToken));
        return $"worker {status.WorkerId} at {_options.Address} ({status.Backend}), model {load.Model?.Name ?? _options.Model}, "
               + $"{status.Capacity} sequences x {load.Model?.ContextLength ?? 0} tokens";
    }

    public Task<IChatConversation> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IChatConversation>(new WorkerConversation(this, new ChatHistory(_options.SystemPrompt), Guid.NewGuid().ToString("D")));

    public Task CleanupAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal AsyncServerStreamingCall<GenerateReply> Generate(GenerateRequest request, CancellationToken cancellationToken)
    {
        request.Model = _options.Model;
        request.Sampling = new SamplingParams { MaxTokens = _options.GenTokens, Temperature = 0f, Seed = _options.Seed };
        return _client.Generate(request, CallOptions(cancellationToken));
    }

    public void Dispose() => _channel.Dispose();

    private CallOptions CallOptions(CancellationToken cancellationToken) =>
        new(_headers, DateTime.UtcNow + _options.Timeout, cancellationToken);
}
