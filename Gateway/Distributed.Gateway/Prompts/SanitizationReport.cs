using System.Text.Json.Serialization;
using Distributed.Sanitization;

namespace Distributed.Gateway.Prompts;

/// <summary>What was redacted or stripped, by kind and count (never the values).</summary>
public sealed record SanitizationReport(
    [property: JsonPropertyName("input")] IReadOnlyList<SanitizationFinding> Input,
    [property: JsonPropertyName("output")] IReadOnlyList<SanitizationFinding> Output);
