using System.Text.Json.Serialization;

namespace Distributed.Gateway.Prompts;

/// <summary>JSON shape for the OpenAPI document; the body is read by JsonBody for field-level 400s.</summary>
public sealed record PromptRequest(
    [property: JsonPropertyName("prompt")] string Prompt,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("temperature")] double? Temperature);
