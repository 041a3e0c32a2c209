using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Distributed.Bench.Chat;

/// <summary>llama.cpp's llama-server through its OpenAI-compatible <c>/v1/chat/completions</c>; the client keeps the history.</summary>
public sealed class LlamaServerChatTarget(ChatOptions options) : IChatTarget
{
    // llama-server (cpp-httplib) closes idle keep-alive connections after 5 s; dropping them sooner client-side keeps
    // a request from being written into a connection the server is closing.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(2) })
    {
        BaseAddress = GatewayChatTarget.WithSlash(options.Address),
        Timeout = options.Timeout,
    };

    public async Task<string> PrepareAsync(CancellationToken cancellationToken)
    {
        var props = await _http.GetFromJsonAsync<JsonObject>("props", cancellationToken) ?? [];
        var settings = props["default_generation_settings"] as JsonObject;
        var model = Path.GetFileNameWithoutExtension((string?)props["model_path"] ?? "llama-server");
        return $"llama-server at {options.Address} ({(string?)props["build_info"] ?? "?"}), model {model}, "
               + $"{(int?)props["total_slots"] ?? 0} slots x {(int?)settings?["n_ctx"] ?? 0} tokens";
    }

    public Task<IChatConversation> OpenAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IChatConversation>(new LlamaServerConversation(_http, new ChatHistory(options.SystemPrompt), options));

    public Task CleanupAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _http.Dispose();
}
