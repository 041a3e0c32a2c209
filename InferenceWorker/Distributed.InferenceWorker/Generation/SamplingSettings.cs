namespace Distributed.InferenceWorker.Generation;

/// <summary>A request's sampling choices after defaults are applied (llama-server's defaults).</summary>
public sealed record SamplingSettings(
    float Temperature = 0.8f,
    float TopP = 0.95f,
    int TopK = 40,
    float MinP = 0.05f,
    float RepeatPenalty = 1.0f,
    uint? Seed = null);
