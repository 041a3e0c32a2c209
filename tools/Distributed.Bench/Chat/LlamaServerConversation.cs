using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Distributed.Bench.Chat;

/// <summary>
/// One conversation against llama-server: every turn resends the whole history to <c>/v1/chat/completions</c>
/// (<c>stream</c>, <c>cache_prompt</c>, usage in the last chunk). TTFT is taken at the first chunk carrying content.
/// Prompt and cached tokens come from <c>usage</c> (<c>prompt_tokens</c>, <c>prompt_tokens_details.cached_tokens</c>),
/// or else from <c>timings</c> (<c>prompt_n</c> + <c>cache_n</c>, <c>cache_n</c>).
/// </summary>
public sealed class LlamaServerConversation(HttpClient http, ChatHistory history, ChatOptions options) : IChatConversation
{
    public async Task<ChatReply> SendAsync(string userMessage, CancellationToken cancellationToken)
    {
        var messages = new JsonArray();
        foreach (var (role, content) in history.With(userMessage))
        {
            messages.Add(new JsonObject { ["role"] = role, ["content"] = content });
        }

        var body = new JsonObject
        {
            ["messages"] = messages,
            ["max_tokens"] = options.GenTokens,
            ["temperature"] = 0,
            ["seed"] = options.Seed,
            ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
            ["cache_prompt"] = true,
        };
        var start = Stopwatch.GetTimestamp();
        using var response = await SendAsync(body, cancellationToken);
        await GatewayConversation.EnsureSuccessAsync(response, "POST /v1/chat/completions", cancellationToken);

        double? firstMs = null;
        var text = new StringBuilder();
        string? finish = null;
        JsonObject? usage = null, timings = null;
        await foreach (var sse in SseReader.ReadAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken))
        {
            if (sse.Data == "[DONE]" || JsonNode.Parse(sse.Data) is not JsonObject chunk)
            {
                continue;
            }

            if (chunk["error"] is { } error)
            {
                throw new HttpRequestException($"llama-server: {error.ToJsonString()}");
            }

            if (chunk["choices"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject choice)
            {
                if ((string?)choice["delta"]?["content"] is { Length: > 0 } piece)
                {
                    firstMs ??= Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    text.Append(piece);
                }

                finish = (string?)choice["finish_reason"] ?? finish;
            }

            usage = chunk["usage"] as JsonObject ?? usage;
            timings = chunk["timings"] as JsonObject ?? timings;
        }

        var totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (usage is null && timings is null)
        {
            throw new JsonException("llama-server's stream ended without usage or timings.");
        }

        var (prompt, cached) = PromptUsage(usage, timings);
        var completion = (int?)usage?["completion_tokens"] ?? (int?)timings?["predicted_n"] ?? 0;
        var answer = text.ToString();
        history.Add(userMessage, answer);
        return new ChatReply(answer, prompt, completion, cached, GatewayConversation.FinishReason(finish), firstMs ?? totalMs, totalMs);
    }

    /// <summary>All prompt tokens and the cached ones, from <c>usage</c> when it has them, else from <c>timings</c>.</summary>
    internal static (int Prompt, int Cached) PromptUsage(JsonObject? usage, JsonObject? timings)
    {
        if ((int?)usage?["prompt_tokens"] is { } prompt && (int?)usage["prompt_tokens_details"]?["cached_tokens"] is { } cached)
        {
            return (prompt, cached);
        }

        var cacheN = (int?)timings?["cache_n"] ?? 0;
        return ((int?)timings?["prompt_n"] is { } promptN ? promptN + cacheN : (int?)usage?["prompt_tokens"] ?? 0, cacheN);
    }

    /// <summary>
    /// Sends again (up to <see cref="SendAttempts"/> times) when the request could not be sent at all: several pooled
    /// connections may have been closed by the server at once, so one retry can pick another closed one.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(JsonObject body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(body) };
            try
            {
                return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException exception) when (attempt < SendAttempts && exception.StatusCode is null)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt), cancellationToken);
            }
        }
    }

    private const int SendAttempts = 4;
}
