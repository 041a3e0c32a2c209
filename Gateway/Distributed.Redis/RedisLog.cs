using Microsoft.Extensions.Logging;

namespace Distributed.Redis;

/// <summary>Source-generated log messages (no boxing or formatting unless the level is enabled).</summary>
internal static partial class RedisLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Connecting to Redis at {Endpoint}")]
    public static partial void Connecting(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Connected to Redis at {Endpoint} (database {Database})")]
    public static partial void Connected(ILogger logger, string endpoint, int database);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Connecting to Redis at {Endpoint} failed; next attempt in {RetryDelayMs} ms: {Error}")]
    public static partial void ConnectFailed(ILogger logger, string endpoint, long retryDelayMs, string error);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Connection to Redis at {Endpoint} lost: {Reason}")]
    public static partial void ConnectionLost(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Redis command {Command} timed out after {TimeoutMs} ms; resetting the connection to {Endpoint}")]
    public static partial void CommandTimedOut(ILogger logger, string command, double timeoutMs, string endpoint);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Redis connection to {Endpoint} disposed")]
    public static partial void Disposed(ILogger logger, string endpoint);
}
