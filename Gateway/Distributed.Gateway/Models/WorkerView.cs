using System.Text.Json.Serialization;

namespace Distributed.Gateway.Models;

/// <summary>A worker instance and what it reported last.</summary>
public sealed record WorkerView(
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("worker_id")] string? WorkerId,
    [property: JsonPropertyName("healthy")] bool Healthy,
    [property: JsonPropertyName("backend")] string? Backend,
    [property: JsonPropertyName("active_sequences")] int ActiveSequences,
    [property: JsonPropertyName("queued_sequences")] int QueuedSequences,
    [property: JsonPropertyName("loaded")] IReadOnlyList<string> Loaded,
    [property: JsonPropertyName("error")] string? Error);
