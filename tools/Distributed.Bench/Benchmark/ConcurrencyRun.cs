namespace Distributed.Bench.Benchmark;

/// <summary>One batch of <see cref="Concurrency"/> simultaneous requests.</summary>
public sealed record ConcurrencyRun(int Concurrency, double WallMs, int CompletionTokens, double AggregateTokensPerSecond,
    IReadOnlyList<RequestResult> Requests);
