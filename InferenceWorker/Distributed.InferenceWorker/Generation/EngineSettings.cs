namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// Per-model engine settings: queue bound, the compute threadpool (threads, ggml polling level, priority) and the
/// shortest gap between two streamed deltas of one sequence (<see cref="TimeSpan.Zero"/>: every token), and the tokens
/// one sequence may hold (a unified KV cache would otherwise let one sequence take every cell), and when a short
/// prefill recomputes cached tokens to reach a flash-attention tile (null: never).
/// </summary>
public sealed record EngineSettings(
    int QueueLimit, int Threads, int Poll, int Priority, TimeSpan StreamInterval, int SequenceContext, PrefillPadding? Padding = null);
