using System.Text.Json.Serialization;

namespace Distributed.Gateway.Auth;

/// <summary>An issued key as listed: never the key itself, only its prefix.</summary>
public sealed record ApiKeyView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("created")] DateTimeOffset Created);
