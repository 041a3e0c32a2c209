using System.CommandLine;
using System.Globalization;
using Grpc.Core;

namespace Distributed.Bench.Benchmark;

/// <summary><c>run</c>: the benchmark client.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var worker = BenchOptions.Worker();
        var model = new Option<string?>("--model", "-m") { Description = "Model name in the worker's catalog (file stem)." };
        var llamaServer = new Option<string?>("--llama-server")
        {
            Description = "Measure llama.cpp's llama-server at this address instead of a worker (same prompts and report), for comparison.",
        };
        var promptTokens = new Option<int>("--prompt-tokens") { Description = "Approximate prompt length in tokens.", DefaultValueFactory = _ => 256 };
        var genTokens = new Option<int>("--gen-tokens") { Description = "max_tokens of the decode runs.", DefaultValueFactory = _ => 128 };
        var concurrency = new Option<string>("--concurrency") { Description = "Comma-separated concurrency levels.", DefaultValueFactory = _ => "1,4,16" };
        var repeat = new Option<int>("--repeat") { Description = "Runs per measurement (the median is reported).", DefaultValueFactory = _ => 3 };
        var seed = new Option<uint>("--seed") { Description = "Sampling seed sent with every request.", DefaultValueFactory = _ => 42 };
        var timeout = new Option<double>("--timeout") { Description = "Deadline of each call, seconds.", DefaultValueFactory = _ => 600 };
        var json = new Option<string?>("--json") { Description = "Also write the results as JSON to this file." };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "Sent as x-api-key: measure through the gateway's gRPC front door (--worker is then the gateway's gRPC address).",
        };
        var command = new Command("run", "Benchmark a worker: prefill, single-stream decode, time to first token, aggregate throughput by concurrency.")
        {
            worker, model, llamaServer, promptTokens, genTokens, concurrency, repeat, seed, timeout, json, apiKey,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            int[] levels;
            try
            {
                levels = ParseLevels(parseResult.GetValue(concurrency)!);
            }
            catch (FormatException exception)
            {
                Console.Error.WriteLine($"error: --concurrency: {exception.Message}");
                return 2;
            }

            var llamaServerAddress = parseResult.GetValue(llamaServer);
            var modelName = parseResult.GetValue(model);
            if (llamaServerAddress is null && string.IsNullOrWhiteSpace(modelName))
            {
                Console.Error.WriteLine("error: --model is required for a worker (llama-server serves the model it was started with).");
                return 2;
            }

            var options = new BenchmarkOptions(
                new Uri(llamaServerAddress ?? parseResult.GetValue(worker)!),
                modelName ?? "(llama-server's model)",
                Math.Max(1, parseResult.GetValue(promptTokens)),
                Math.Max(2, parseResult.GetValue(genTokens)),
                levels,
                Math.Max(1, parseResult.GetValue(repeat)),
                parseResult.GetValue(seed),
                TimeSpan.FromSeconds(parseResult.GetValue(timeout)));
            try
            {
                using IGenerationTarget target = llamaServerAddress is not null
                    ? new LlamaServerTarget(options.Worker, options.Timeout)
                    : new GrpcWorkerTarget(options.Worker, options.Model, options.Timeout, parseResult.GetValue(apiKey));
                var results = await new InferenceBenchmark(options, target, Console.Out).RunAsync(cancellationToken);
                BenchmarkReport.Print(results, Console.Out);
                if (parseResult.GetValue(json) is { } jsonPath)
                {
                    BenchmarkReport.WriteJson(results, jsonPath);
                    Console.WriteLine($"results written to {jsonPath}");
                }

                return 0;
            }
            catch (RpcException exception)
            {
                Console.Error.WriteLine($"error: worker call failed: {exception.StatusCode}: {exception.Status.Detail}");
                return 1;
            }
            catch (HttpRequestException exception)
            {
                Console.Error.WriteLine($"error: llama-server call failed: {exception.Message}");
                return 1;
            }
        });
        return command;
    }

    public static int[] ParseLevels(string text)
    {
        var levels = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => int.Parse(part, NumberStyles.None, CultureInfo.InvariantCulture))
            .ToArray();
        if (levels.Length == 0 || levels.Any(level => level < 1))
        {
            throw new FormatException("expected positive integers such as 1,4,16.");
        }

        return levels;
    }
}
