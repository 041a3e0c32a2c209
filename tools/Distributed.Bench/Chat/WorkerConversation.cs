using System.Diagnostics;
using System.Text;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.Bench.Chat;

/// <summary>One conversation against a worker: the history as <c>chat</c> messages, the conversation id as <c>cache_key</c>.</summary>
public sealed class WorkerConversation(WorkerChatTarget target, ChatHistory history, string cacheKey) : IChatConversation
{
    public async Task<ChatReply> SendAsync(string userMessage, CancellationToken cancellationToken)
    {
        var request = new GenerateRequest { Chat = new ChatMessages(), CacheKey = cacheKey };
        foreach (var (role, content) in history.With(userMessage))
        {
            request.Chat.Messages.Add(new ChatMessage { Role = role, Content = content });
        }

        var start = Stopwatch.GetTimestamp();
        double? firstMs = null;
        GenerateReply? final = null;
        var text = new StringBuilder();
        using var call = target.Generate(request, cancellationToken);
        await foreach (var reply in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            var finished = reply.FinishReason != FinishReason.Unspecified;
            if (firstMs is null && (reply.Delta.Length > 0 || finished))
            {
                firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            text.Append(reply.Delta);
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

        var answer = text.ToString();
        history.Add(userMessage, answer);
        return new ChatReply(answer, final.Usage?.PromptTokens ?? 0, final.Usage?.CompletionTokens ?? 0, final.Usage?.CachedTokens ?? 0,
            final.FinishReason.ToString(), firstMs ?? totalMs, totalMs, final.Timings?.QueuedMs, final.Timings?.PrefillMs);
    }
}
