using System.CommandLine;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;

namespace Distributed.Bench.Benchmark;

/// <summary><c>health</c>: waits until the worker's grpc.health.v1.Health/Check answers SERVING.</summary>
internal static class HealthCommand
{
    public static Command Create()
    {
        var worker = BenchOptions.Worker();
        var wait = new Option<double>("--wait") { Description = "Seconds to keep trying before giving up.", DefaultValueFactory = _ => 60 };
        var service = new Option<string>("--service") { Description = "Service name to check ('' = the whole server).", DefaultValueFactory = _ => string.Empty };
        var command = new Command("health", "Wait until grpc.health.v1.Health/Check reports SERVING (exit 0), or time out (exit 1).")
        {
            worker, wait, service,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var address = new Uri(parseResult.GetValue(worker)!);
            var serving = await WaitAsync(address, parseResult.GetValue(service)!, TimeSpan.FromSeconds(parseResult.GetValue(wait)), Console.Out, cancellationToken);
            return serving ? 0 : 1;
        });
        return command;
    }

    public static async Task<bool> WaitAsync(Uri address, string service, TimeSpan wait, TextWriter log, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var stopwatch = Stopwatch.StartNew();
        string last = "no answer";
        while (true)
        {
            try
            {
                var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service },
                    deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancellationToken);
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    await log.WriteLineAsync($"{address} is SERVING (after {stopwatch.Elapsed.TotalSeconds:F1} s)");
                    return true;
                }

                last = reply.Status.ToString();
            }
            catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled)
            {
                last = $"{exception.StatusCode}: {exception.Status.Detail}";
            }

            if (stopwatch.Elapsed >= wait)
            {
                await log.WriteLineAsync($"{address} not serving after {wait.TotalSeconds:F0} s (last: {last})");
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }
}
