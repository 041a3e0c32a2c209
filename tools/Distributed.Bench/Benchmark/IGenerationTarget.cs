namespace Distributed.Bench.Benchmark;

/// <summary>A server the benchmark drives: our worker over gRPC, or llama.cpp's llama-server for comparison.</summary>
public interface IGenerationTarget : IDisposable
{
    /// <summary>Loads (or checks) the model and describes the server.</summary>
    Task<WorkerSummary> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>One streamed generation at temperature 0, timed from the client's side, with the server's own figures.</summary>
    Task<RequestResult> GenerateAsync(string prompt, int maxTokens, uint seed, CancellationToken cancellationToken);
}
