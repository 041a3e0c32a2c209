using Distributed.InferenceWorker.Models;
using Distributed.InferenceWorker.Services;
using Microsoft.Extensions.Options;

namespace Distributed.InferenceWorker.Native;

/// <summary>
/// Loads llama.cpp before the server takes calls (a missing native fails start-up), then preloads models in the
/// background while health reports NOT_SERVING, and reports draining once the host starts stopping.
/// </summary>
public sealed partial class LlamaStartup(
    IOptions<WorkerOptions> options,
    ModelManager models,
    WorkerReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<LlamaStartup>();
    private readonly CancellationTokenSource _stopping = new();
    private Task _preload = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var directory = options.Value.ResolveNativeDirectory();
        LlamaLibrary.Initialize(directory, loggerFactory.CreateLogger("llama.cpp"));
        lifetime.ApplicationStopping.Register(readiness.MarkDraining);
        _preload = Task.Run(() => PreloadAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _preload;
        models.Dispose();
        _stopping.Dispose();
    }

    private async Task PreloadAsync(CancellationToken ct)
    {
        foreach (var name in options.Value.Preload)
        {
            try
            {
                await models.LoadAsync(name, ct);
            }
            catch (WorkerException ex)
            {
                // A bad preload entry must not stop the worker from serving the other models.
                LogPreloadFailed(_logger, name, ex.Message);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }

        readiness.MarkPreloaded();
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Could not preload {Model}: {Reason}")]
    private static partial void LogPreloadFailed(ILogger logger, string model, string reason);
}
