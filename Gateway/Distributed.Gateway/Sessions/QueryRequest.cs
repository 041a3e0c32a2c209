using System.Text.Json.Serialization;

namespace Distributed.Gateway.Sessions;

/// <summary>JSON shape for the OpenAPI document; bodies are read by JsonBody for field-level 400s.</summary>
public sealed record QueryRequest(
    [property: JsonPropertyName("query")] string Query,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("temperature")] double? Temperature,
    [property: JsonPropertyName("top_p")] double? TopP,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("stop")] string[]? Stop);
