using System.Text.Json.Serialization;
using Distributed.Sanitization;

namespace Distributed.Gateway.Prompts;

/// <summary><c>{"response", "sanitized": {"input": [...], "output": [...]}}</c>: the answer and what the guard changed.</summary>
public sealed record PromptResponse(
    [property: JsonPropertyName("response")] string Response,
    [property: JsonPropertyName("sanitized")] SanitizationReport Sanitized);
