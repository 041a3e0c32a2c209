namespace Distributed.InferenceWorker.Generation;

/// <summary>One step of a stream: new text, and on the last update the result.</summary>
public readonly record struct GenerationUpdate(string Delta, GenerationResult? Result);
