using System.Text.Json.Serialization;

namespace Distributed.Gateway.OpenAi;

/// <summary>One model in OpenAI's shape; <c>aliases</c> and <c>alias_of</c> are ours (an alias is listed as a model too).</summary>
public sealed record ModelEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy,
    [property: JsonPropertyName("aliases")] IReadOnlyList<string> Aliases,
    [property: JsonPropertyName("alias_of"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AliasOf);
