namespace Distributed.Bench.Benchmark;

/// <summary>What to measure: <see cref="Worker"/> is the address of the server under test, whichever kind it is.</summary>
public sealed record BenchmarkOptions(Uri Worker, string Model, int PromptTokens, int GenTokens, int[] Concurrency, int Repeat,
    uint Seed, TimeSpan Timeout);
