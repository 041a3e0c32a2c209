using System.Text.Json.Serialization;

namespace Distributed.Gateway.Models;

/// <summary>A model as <c>GET /llm/models</c> shows it: the union of the workers' catalogs.</summary>
public sealed record ModelView(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("aliases")] IReadOnlyList<string> Aliases,
    [property: JsonPropertyName("size_bytes")] long SizeBytes,
    [property: JsonPropertyName("parameters")] long? Parameters,
    [property: JsonPropertyName("context_length")] int? ContextLength,
    [property: JsonPropertyName("has_chat_template")] bool? HasChatTemplate,
    [property: JsonPropertyName("workers")] IReadOnlyList<string> Workers,
    [property: JsonPropertyName("loaded_on")] IReadOnlyList<string> LoadedOn);
