using System.Text.Json.Serialization;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// A stored response: which turn of which conversation it is (<see cref="Turn"/> is the index of its answer in the
/// conversation's messages, the question is the one before), and what the Responses API shows besides the text.
/// </summary>
public sealed record ResponseRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("owner")] string Owner,
    [property: JsonPropertyName("session")] Guid SessionId,
    [property: JsonPropertyName("conversation")] Guid ConversationId,
    [property: JsonPropertyName("turn")] int Turn,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("instructions")] string? Instructions,
    [property: JsonPropertyName("previous_response_id")] string? PreviousResponseId,
    [property: JsonPropertyName("temperature")] double Temperature,
    [property: JsonPropertyName("top_p")] double? TopP,
    [property: JsonPropertyName("max_output_tokens")] int MaxOutputTokens,
    [property: JsonPropertyName("finish_reason")] string FinishReason,
    [property: JsonPropertyName("input_tokens")] int InputTokens,
    [property: JsonPropertyName("output_tokens")] int OutputTokens,
    [property: JsonPropertyName("cached_tokens")] int CachedTokens);
