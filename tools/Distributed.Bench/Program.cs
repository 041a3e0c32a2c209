using System.CommandLine;
using Distributed.Bench.Benchmark;
using Distributed.Bench.Chat;
using Distributed.Bench.Gguf;
using Distributed.Bench.Soak;

namespace Distributed.Bench;

public static class Program
{
    public static Task<int> Main(string[] args)
    {
        var root = new RootCommand("Benchmark tooling: random-weight llama GGUF models and an InferenceWorker benchmark client.")
        {
            GgufCommand.Create(),
            InspectCommand.Create(),
            HealthCommand.Create(),
            RunCommand.Create(),
            CompareCommand.Create(),
            LatencyCommand.Create(),
            ChatCommand.Create(),
            ChatCompareCommand.Create(),
            SoakCommand.Create(),
        };
        return root.Parse(args).InvokeAsync();
    }
}
