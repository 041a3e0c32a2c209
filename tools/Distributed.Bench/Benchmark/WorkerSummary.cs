namespace Distributed.Bench.Benchmark;

/// <summary>The server under test and the model it serves.</summary>
public sealed record WorkerSummary(string WorkerId, string Backend, int Capacity, string Model, long Parameters, int ContextLength,
    double LoadMs, long MemoryBytes, bool AlreadyLoaded, string Message);
