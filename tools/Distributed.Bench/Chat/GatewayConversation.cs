using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Distributed.Bench.Chat;

/// <summary>
/// One gateway conversation: each turn is a streamed query (<c>accept: text/event-stream</c>); TTFT is taken at the
/// first <c>delta</c> event, usage from <c>done</c>.
/// </summary>
public sealed class GatewayConversation(HttpClient http, string queryPath, ChatOptions options) : IChatConversation
{
    public async Task<ChatReply> SendAsync(string userMessage, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, queryPath)
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["query"] = userMessage,
                ["max_tokens"] = options.GenTokens,
                ["temperature"] = 0,
                ["seed"] = options.Seed,
            }),
        };
        request.Headers.Accept.ParseAdd("text/event-stream");
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, "query", cancellationToken);

        double? firstMs = null;
        var recorded = options.Recorder is null ? null : new List<(double Ms, string Text)>();
        JsonObject? done = null;
        await foreach (var sse in SseReader.ReadAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken))
        {
            switch (sse.Name)
            {
                case "delta":
                    firstMs ??= Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    recorded?.Add((Stopwatch.GetElapsedTime(start).TotalMilliseconds, (string?)JsonNode.Parse(sse.Data)?["delta"] ?? ""));
                    break;
                case "done":
                    firstMs ??= Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    done = JsonNode.Parse(sse.Data) as JsonObject;
                    break;
                case "error":
                    throw new HttpRequestException($"query: error event: {sse.Data}");
            }
        }

        var totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (done is null)
        {
            throw new JsonException("query: the event stream ended without a done event.");
        }

        if (recorded is not null)
        {
            options.Recorder!.Append(recorded);
        }

        var usage = done["usage"] as JsonObject;
        return new ChatReply((string?)done["response"] ?? "", (int?)usage?["prompt_tokens"] ?? 0, (int?)usage?["completion_tokens"] ?? 0,
            (int?)usage?["cached_tokens"] ?? 0, FinishReason((string?)done["finish_reason"]), firstMs ?? totalMs, totalMs);
    }

    /// <summary>The same names as the worker's finish reasons, so reports line up across targets.</summary>
    internal static string FinishReason(string? name) => name switch
    {
        "stop" => "Stop",
        "length" => "Length",
        "context_full" => "ContextFull",
        null => "unknown",
        var other => other,
    };

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{what}: {(int)response.StatusCode} {response.ReasonPhrase}: {body}", null, response.StatusCode);
        }
    }
}
