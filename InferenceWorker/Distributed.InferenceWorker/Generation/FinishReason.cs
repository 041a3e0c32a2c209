namespace Distributed.InferenceWorker.Generation;

public enum FinishReason
{
    /// <summary>End-of-generation token or a stop string.</summary>
    Stop,
    /// <summary>max_tokens reached.</summary>
    Length,
    Cancelled,
    /// <summary>The sequence's context window is full.</summary>
    ContextFull,
}
