using Distributed.Contracts.Inference.V1;

namespace Distributed.Gateway.OpenAi;

/// <summary>Chat Completions bodies: <c>chat.completion</c>, <c>chat.completion.chunk</c> and <c>usage</c>.</summary>
public static class ChatShapes
{
    public static string FinishReason(FinishReason reason) => reason == Contracts.Inference.V1.FinishReason.Stop ? "stop" : "length";

    public static object Usage(GenerateReply final)
    {
        var prompt = final.Usage?.PromptTokens ?? 0;
        var completion = final.Usage?.CompletionTokens ?? 0;
        return new
        {
            prompt_tokens = prompt,
            completion_tokens = completion,
            total_tokens = prompt + completion,
            prompt_tokens_details = new { cached_tokens = final.Usage?.CachedTokens ?? 0 },
            completion_tokens_details = new { reasoning_tokens = 0 },
        };
    }

    public static object Completion(string id, long created, string model, string text, GenerateReply final) => new
    {
        id,
        @object = "chat.completion",
        created,
        model,
        choices = new[]
        {
            new
            {
                index = 0,
                message = new { role = "assistant", content = text, refusal = (string?)null },
                logprobs = (object?)null,
                finish_reason = FinishReason(final.FinishReason),
            },
        },
        usage = Usage(final),
        system_fingerprint = (string?)null,
    };

    public static object Chunk(string id, long created, string model, object delta, string? finishReason) => new
    {
        id,
        @object = "chat.completion.chunk",
        created,
        model,
        choices = new[] { new { index = 0, delta, logprobs = (object?)null, finish_reason = finishReason } },
        system_fingerprint = (string?)null,
    };

    public static object UsageChunk(string id, long created, string model, GenerateReply final) => new
    {
        id,
        @object = "chat.completion.chunk",
        created,
        model,
        choices = Array.Empty<object>(),
        usage = Usage(final),
        system_fingerprint = (string?)null,
    };
}
