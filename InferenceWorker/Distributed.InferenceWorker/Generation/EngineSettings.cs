namespace Distributed.InferenceWorker.Generation;

/// <summary>Per-model engine settings: queue bound and the compute threadpool (threads, ggml polling level, priority).</summary>
public sealed record EngineSettings(int QueueLimit, int Threads, int Poll, int Priority);
