using Microsoft.Extensions.Logging;

namespace Distributed.Grpc;

internal static partial class ClientLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Call {Method} failed with status {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);
}
