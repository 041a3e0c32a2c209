using System.Text.Json.Serialization;

namespace Distributed.Gateway.Sessions;

/// <summary>A session as the API shows it.</summary>
public sealed record SessionView(
    [property: JsonPropertyName("sessionId")] Guid SessionId,
    [property: JsonPropertyName("model_name")] string ModelName,
    [property: JsonPropertyName("system_prompt")] string? SystemPrompt,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("updated")] DateTimeOffset Updated)
{
    public static SessionView From(SessionRecord s) => new(s.Id, s.ModelName, s.SystemPrompt, s.Created, s.Updated);
}
