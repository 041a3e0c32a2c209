namespace Distributed.Bench.Benchmark;

public sealed record BenchmarkResults(BenchmarkOptions Options, WorkerSummary Worker, int MeasuredPromptTokens,
    IReadOnlyList<RequestResult> Prefill, IReadOnlyList<RequestResult> Decode, IReadOnlyList<ConcurrencyRun> Concurrency);
