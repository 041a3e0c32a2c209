using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Distributed.InferenceWorker.Services;

/// <summary>
/// <c>dotnet Distributed.InferenceWorker.dll --health-check [--port N]</c>: asks a running worker's gRPC health service,
/// exits 0 when serving. For container healthchecks, where no gRPC probe tool is installed.
/// </summary>
public static class WorkerHealthProbe
{
    public const string Flag = "--health-check";

    public static async Task<int> RunAsync(string[] args)
    {
        var portIndex = Array.IndexOf(args, "--port");
        var port = portIndex >= 0 && portIndex + 1 < args.Length && int.TryParse(args[portIndex + 1], out var p)
            ? p
            : int.TryParse(Environment.GetEnvironmentVariable("Worker__Port"), out var fromEnv) ? fromEnv : 4000;
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        try
        {
            var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(3));
            Console.WriteLine(reply.Status);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (RpcException ex)
        {
            Console.Error.WriteLine($"{ex.StatusCode}: {ex.Status.Detail}");
            return 1;
        }
    }
}
