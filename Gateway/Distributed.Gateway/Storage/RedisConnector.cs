using StackExchange.Redis;

namespace Distributed.Gateway.Storage;

/// <summary>
/// Creates the multiplexer (first connect attempt bounded by ConnectTimeout, then background reconnects) and, as a
/// hosted service, creates it at startup without waiting, so the first request does not pay for the connect.
/// </summary>
public sealed partial class RedisConnector(IServiceProvider services) : IHostedService
{
    public static IConnectionMultiplexer Connect(RedisOptions options, ILogger logger)
    {
        var multiplexer = ConnectionMultiplexer.Connect(options.ToConfigurationOptions());
        multiplexer.ConnectionFailed += (_, e) => LogConnectionFailed(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType, e.FailureType);
        multiplexer.ConnectionRestored += (_, e) => LogConnectionRestored(logger, e.EndPoint?.ToString() ?? "?", e.ConnectionType);
        if (!multiplexer.IsConnected)
        {
            LogNotConnected(logger);
        }

        return multiplexer;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => services.GetRequiredService<IConnectionMultiplexer>(), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Endpoints and failure kinds only: the configuration (and its password) is never logged.
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Redis connection to {EndPoint} ({ConnectionType}) failed: {FailureType}")]
    private static partial void LogConnectionFailed(ILogger logger, string endPoint, ConnectionType connectionType, ConnectionFailureType failureType);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Redis connection to {EndPoint} ({ConnectionType}) restored")]
    private static partial void LogConnectionRestored(ILogger logger, string endPoint, ConnectionType connectionType);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Redis is not reachable yet; store requests answer 503 until it is (reconnecting in the background)")]
    private static partial void LogNotConnected(ILogger logger);
}
