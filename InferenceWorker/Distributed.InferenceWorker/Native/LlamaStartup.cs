using Distributed.InferenceWorker.Models;
using Microsoft.Extensions.Options;

namespace Distributed.InferenceWorker.Native;

/// <summary>Loads llama.cpp before the server takes calls (a missing native fails start-up), then preloads models.</summary>
public sealed partial class LlamaStartup(IOptions<WorkerOptions> options, ModelManager models, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<LlamaStartup>();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = options.Value.ResolveNativeDirectory();
        LlamaLibrary.Initialize(directory, loggerFactory.CreateLogger("llama.cpp"));
        foreach (var name in options.Value.Preload)
        {
            try
            {
                await models.LoadAsync(name, cancellationToken);
            }
            catch (Distributed.Grpc.RpcException ex)
            {
                // A bad preload entry must not stop the worker from serving the other models.
                LogPreloadFailed(_logger, name, ex.Detail);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        models.Dispose();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Could not preload {Model}: {Reason}")]
    private static partial void LogPreloadFailed(ILogger logger, string model, string reason);
}
