using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Distributed.Bench.Benchmark;

/// <summary>
/// <c>latency</c>: per-call latency of a unary call that does no model work (GetStatus), so what is measured is the
/// transport and any proxy in between; run it against a worker and against the gateway's front door and subtract.
/// </summary>
internal static class LatencyCommand
{
    public static Command Create()
    {
        var worker = BenchOptions.Worker();
        var calls = new Option<int>("--calls") { Description = "Calls to measure, one after another.", DefaultValueFactory = _ => 2000 };
        var apiKey = new Option<string?>("--api-key") { Description = "Sent as x-api-key (for the gateway's gRPC front door)." };
        var command = new Command("latency", "Per-call latency of GetStatus (no model work): p50/p90/p99 in ms.") { worker, calls, apiKey };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var channel = GrpcChannel.ForAddress(parseResult.GetValue(worker)!);
            var client = new Inference.InferenceClient(channel);
            var headers = new Metadata();
            if (parseResult.GetValue(apiKey) is { } key)
            {
                headers.Add("x-api-key", key);
            }

            var count = Math.Max(10, parseResult.GetValue(calls));
            for (var i = 0; i < Math.Min(200, count); i++)
            {
                await client.GetStatusAsync(new GetStatusRequest(), headers, cancellationToken: cancellationToken);
            }

            var samples = new double[count];
            for (var i = 0; i < count; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await client.GetStatusAsync(new GetStatusRequest(), headers, cancellationToken: cancellationToken);
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            Array.Sort(samples);
            double At(double q) => samples[(int)Math.Min(count - 1, Math.Round(q * (count - 1)))];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"GetStatus x{count}: p50 {At(0.5):F3} ms, p90 {At(0.9):F3} ms, p99 {At(0.99):F3} ms, mean {samples.Average():F3} ms"));
            return 0;
        });
        return command;
    }
}
