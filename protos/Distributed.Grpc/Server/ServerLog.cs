using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Distributed.Grpc;

internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Rejected {HttpMethod} {Path} with content-type '{ContentType}': not a gRPC request.")]
    public static partial void NotGrpcRequest(ILogger logger, string httpMethod, PathString path, string? contentType);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Rejected {Path}: gRPC needs HTTP/2 but the request came over {Protocol}.")]
    public static partial void NotHttp2(ILogger logger, PathString path, string protocol);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Ignoring the invalid grpc-timeout '{Value}' of {Method}.")]
    public static partial void InvalidTimeout(ILogger logger, string method, string value);

    [LoggerMessage(EventId = 5, Level = LogLevel.Debug, Message = "Call {Method} passed its deadline ({Timeout}).")]
    public static partial void DeadlineExceeded(ILogger logger, string method, TimeSpan timeout);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Call {Method} was cancelled by the client.")]
    public static partial void ClientCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Call {Method} ended with status {StatusCode}: {Detail}")]
    public static partial void CallFailed(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "The handler of {Method} threw an exception.")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 9, Level = LogLevel.Debug, Message = "Could not send the status of {Method}: the stream is gone.")]
    public static partial void StatusNotSent(ILogger logger, string method, Exception exception);
}
