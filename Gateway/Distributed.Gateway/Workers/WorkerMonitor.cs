using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Workers;

/// <summary>Re-resolves worker addresses and polls each worker's status and catalog, for routing and readiness.</summary>
public sealed partial class WorkerMonitor(WorkerPool pool, IOptions<WorkersOptions> options, TimeProvider clock, ILogger<WorkerMonitor> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextResolve = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (clock.GetUtcNow() >= nextResolve)
                {
                    await pool.ResolveAsync(stoppingToken);
                    nextResolve = clock.GetUtcNow() + options.Value.ResolveInterval;
                }

                await PollAllAsync(stoppingToken);
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogMonitorFailed(logger, ex);
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
        }
    }

    public Task PollAllAsync(CancellationToken ct) => Task.WhenAll(pool.Endpoints.Select(e => PollAsync(e, ct)));

    public async Task PollAsync(WorkerEndpoint endpoint, CancellationToken ct)
    {
        var call = new CallOptions(deadline: DateTime.UtcNow + options.Value.RequestTimeout, cancellationToken: ct);
        try
        {
            var status = endpoint.Client.GetStatusAsync(new GetStatusRequest(), call).ResponseAsync;
            var catalog = endpoint.Client.ListModelsAsync(new ListModelsRequest(), call).ResponseAsync;
            endpoint.Status = await status;
            endpoint.Catalog = await catalog;
            if (!endpoint.Healthy)
            {
                LogWorkerUp(logger, endpoint.Address, endpoint.Status.WorkerId, endpoint.Catalog.Models.Count);
            }

            endpoint.Healthy = true;
            endpoint.LastError = null;
            endpoint.LastSeen = clock.GetUtcNow();
        }
        catch (RpcException ex)
        {
            if (endpoint.Healthy || endpoint.LastError is null)
            {
                LogWorkerDown(logger, endpoint.Address, ex.StatusCode, ex.Status.Detail);
            }

            endpoint.Healthy = false;
            endpoint.LastError = $"{ex.StatusCode}: {ex.Status.Detail}";
        }
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Worker {Address} ({WorkerId}) is up with {Models} models")]
    private static partial void LogWorkerUp(ILogger logger, Uri address, string workerId, int models);

    [LoggerMessage(EventId = 61, Level = LogLevel.Warning, Message = "Worker {Address} is unreachable: {Status} {Detail}")]
    private static partial void LogWorkerDown(ILogger logger, Uri address, StatusCode status, string detail);

    [LoggerMessage(EventId = 62, Level = LogLevel.Error, Message = "Worker monitoring failed; retrying")]
    private static partial void LogMonitorFailed(ILogger logger, Exception exception);
}
