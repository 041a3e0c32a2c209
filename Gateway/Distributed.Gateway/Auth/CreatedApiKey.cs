using System.Text.Json.Serialization;

namespace Distributed.Gateway.Auth;

/// <summary>The answer to creating a key: the only time the key is shown.</summary>
public sealed record CreatedApiKey(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("created")] DateTimeOffset Created);
