using System.CommandLine;

namespace Distributed.Bench.Benchmark;

internal static class BenchOptions
{
    public static Option<string> Worker() => new("--worker")
    {
        Description = "Worker gRPC address (cleartext HTTP/2).",
        DefaultValueFactory = _ => "http://127.0.0.1:4000",
    };
}
