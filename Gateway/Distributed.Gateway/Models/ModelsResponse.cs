using System.Text.Json.Serialization;

namespace Distributed.Gateway.Models;

public sealed record ModelsResponse(
    [property: JsonPropertyName("models")] IReadOnlyList<ModelView> Models,
    [property: JsonPropertyName("workers")] IReadOnlyList<WorkerView> Workers);
