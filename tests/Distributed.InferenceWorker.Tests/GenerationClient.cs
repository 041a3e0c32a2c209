using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.InferenceWorker.Tests;

/// <summary>Test helpers over the Inference service.</summary>
public static class GenerationClient
{
    public static GenerateRequest Prompt(string model, string prompt, int maxTokens, float temperature = 0f, string? cacheKey = null)
    {
        var request = new GenerateRequest
        {
            Model = model,
            Prompt = prompt,
            Sampling = new SamplingParams { MaxTokens = maxTokens, Temperature = temperature },
        };
        if (cacheKey is not null)
        {
            request.CacheKey = cacheKey;
        }

        return request;
    }

    public static GenerateRequest Chat(string model, int maxTokens, params (string Role, string Content)[] messages)
    {
        var chat = new ChatMessages();
        chat.Messages.AddRange(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        return new GenerateRequest
        {
            Model = model,
            Chat = chat,
            Sampling = new SamplingParams { MaxTokens = maxTokens, Temperature = 0f },
        };
    }

    public static async Task<GenerationOutcome> RunAsync(this Inference.InferenceClient client, GenerateRequest request, CallOptions options = default)
    {
        var deltas = new List<string>();
        GenerateReply? last = null;
        using var call = client.Generate(request, options);
        await foreach (var reply in call.ResponseStream.ReadAllAsync())
        {
            deltas.Add(reply.Delta);
            last = reply;
        }

        return new GenerationOutcome(deltas, last ?? throw new InvalidOperationException("The stream ended without a reply."));
    }

    public static Task<GetStatusReply> StatusAsync(this Inference.InferenceClient client) =>
        client.GetStatusAsync(new GetStatusRequest()).ResponseAsync;

    /// <summary>Polls the worker's status until the condition holds (bounded; no fixed sleeps in assertions).</summary>
    public static async Task<GetStatusReply> WaitForStatusAsync(this Inference.InferenceClient client, Func<GetStatusReply, bool> condition, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var status = await client.StatusAsync();
            if (condition(status))
            {
                return status;
            }

            await Task.Delay(20, cts.Token);
        }
    }
}

public sealed record GenerationOutcome(IReadOnlyList<string> Deltas, GenerateReply Final)
{
    public string Text => string.Concat(Deltas);
}
