using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Distributed.Bench.Benchmark;

/// <summary>
/// llama.cpp's llama-server, through its native streaming <c>POST /completion</c> (server-sent events), for a
/// side-by-side comparison on the same machine. The server is started by the caller with the model already loaded.
/// </summary>
public sealed class LlamaServerTarget(Uri address, TimeSpan timeout) : IGenerationTarget
{
    // llama-server (cpp-httplib) closes idle keep-alive connections after 5 s; dropping them sooner client-side keeps
    // a request from being written into a connection the server is closing.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) })
    {
        BaseAddress = address,
        Timeout = timeout,
    };

    public async Task<WorkerSummary> PrepareAsync(CancellationToken cancellationToken)
    {
        var props = await _http.GetFromJsonAsync<JsonObject>("props", cancellationToken) ?? [];
        var settings = props["default_generation_settings"] as JsonObject;
        var contextLength = (int?)settings?["n_ctx"] ?? 0;
        var slots = (int?)props["total_slots"] ?? 0;
        var model = Path.GetFileNameWithoutExtension((string?)props["model_path"] ?? "llama-server");
        return new WorkerSummary("llama-server", (string?)props["build_info"] ?? "", slots, model, 0, contextLength, 0, 0, AlreadyLoaded: true,
            $"llama-server at {address} serves {model}.");
    }

    public async Task<RequestResult> GenerateAsync(string prompt, int maxTokens, uint seed, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["prompt"] = prompt,
            ["n_predict"] = maxTokens,
            ["temperature"] = 0,
            ["seed"] = seed,
            ["stream"] = true,
            ["cache_prompt"] = true,
        };
        var start = Stopwatch.GetTimestamp();
        using var response = await SendAsync(body, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));

        double? firstMs = null;
        JsonObject? final = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var chunk = JsonNode.Parse(line.AsSpan(6).ToString()) as JsonObject;
            var stop = (bool?)chunk?["stop"] ?? false;
            if (firstMs is null && (((string?)chunk?["content"])?.Length > 0 || stop))
            {
                firstMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            if (stop)
            {
                final = chunk;
            }
        }

        var totalMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (final is null)
        {
            throw new JsonException("llama-server's stream ended without a final chunk.");
        }

        var timings = final["timings"] as JsonObject;
        double Number(string name) => (double?)timings?[name] ?? 0;
        var promptTokens = (int?)final["tokens_evaluated"] ?? 0;
        var finish = (string?)final["stop_type"] switch
        {
            "limit" => "Length",
            "eos" or "word" => "Stop",
            var other => other ?? "unknown",
        };
        return RequestResult.Create(promptTokens, (int?)final["tokens_predicted"] ?? 0, (int?)timings?["cache_n"] ?? 0, finish,
            firstMs ?? totalMs, totalMs, 0, Number("prompt_ms"), Number("prompt_per_second"), Number("predicted_per_second"),
            Number("prompt_ms") + Number("predicted_ms"));
    }

    /// <summary>Sends once more when the request could not be sent at all (a pooled connection closed under it).</summary>
    private async Task<HttpResponseMessage> SendAsync(JsonObject body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "completion") { Content = JsonContent.Create(body) };
            try
            {
                return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException exception) when (attempt == 1 && exception.StatusCode is null)
            {
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
