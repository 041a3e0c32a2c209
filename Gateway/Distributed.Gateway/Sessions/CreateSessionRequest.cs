using System.Text.Json.Serialization;

namespace Distributed.Gateway.Sessions;

/// <summary>JSON shape for the OpenAPI document; bodies are read by JsonBody for field-level 400s.</summary>
public sealed record CreateSessionRequest(
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("system_prompt")] string? SystemPrompt);
