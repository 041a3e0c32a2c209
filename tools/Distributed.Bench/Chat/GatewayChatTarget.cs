using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Distributed.Bench.Chat;

/// <summary>
/// The gateway's HTTP API: one session for the run (the model and the system prompt), one gateway conversation per
/// benchmark conversation; the gateway keeps the history in Redis and sends the conversation id as the worker's cache key.
/// </summary>
public sealed class GatewayChatTarget : IChatTarget
{
    private readonly HttpClient _http;
    private readonly ChatOptions _options;
    private string? _sessionId;

    public GatewayChatTarget(ChatOptions options, string apiKey)
    {
        _options = options;
        _http = new HttpClient { BaseAddress = WithSlash(options.Address), Timeout = options.Timeout };
        _http.DefaultRequestHeaders.Add("x-api-key", apiKey);
    }

    public async Task<string> PrepareAsync(CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync("llm/sessions",
            new JsonObject { ["model_name"] = _options.Model, ["system_prompt"] = _options.SystemPrompt }, cancellationToken);
        await GatewayConversation.EnsureSuccessAsync(response, "POST /llm/sessions", cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        _sessionId = (string?)body?["sessionId"] ?? throw new HttpRequestException("POST /llm/sessions: no sessionId in the reply.");
        return $"gateway at {_options.Address}, model {_options.Model}, session {_sessionId}";
    }

    public async Task<IChatConversation> OpenAsync(CancellationToken cancellationToken)
    {
        var session = _sessionId ?? throw new InvalidOperationException("PrepareAsync first.");
        using var response = await _http.PostAsync($"llm/sessions/{session}/conversations", content: null, cancellationToken);
        await GatewayConversation.EnsureSuccessAsync(response, "POST conversations", cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        var conversation = (string?)body?["conversationId"] ?? throw new HttpRequestException("POST conversations: no conversationId in the reply.");
        return new GatewayConversation(_http, $"llm/sessions/{session}/conversations/{conversation}/query", _options);
    }

    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        if (_sessionId is { } session)
        {
            using var response = await _http.DeleteAsync($"llm/sessions/{session}", cancellationToken);
            _sessionId = null;
        }
    }

    public void Dispose() => _http.Dispose();

    internal static Uri WithSlash(Uri address) =>
        address.AbsoluteUri.EndsWith('/') ? address : new Uri(address.AbsoluteUri + "/");
}
