using Grpc.Core;

namespace Distributed.Gateway.GrpcProxy;

/// <summary>
/// Answers a gRPC call that is not forwarded with a trailers-only response (HTTP 200, <c>grpc-status</c> in the
/// headers), so gRPC clients raise their usual status instead of an HTTP error.
/// </summary>
public static class GrpcStatusWriter
{
    public static Task WriteAsync(HttpContext context, StatusCode status, string message, TimeSpan? retryAfter = null)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        if (retryAfter is { } delay)
        {
            // The gRPC retry-pushback header (milliseconds), for clients with a retry policy.
            response.Headers["grpc-retry-pushback-ms"] = ((long)delay.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return response.StartAsync();
    }

    /// <summary>The gRPC status for one of the gateway's HTTP error statuses.</summary>
    public static StatusCode FromHttp(int status) => status switch
    {
        StatusCodes.Status400BadRequest => StatusCode.InvalidArgument,
        StatusCodes.Status401Unauthorized => StatusCode.Unauthenticated,
        StatusCodes.Status403Forbidden => StatusCode.PermissionDenied,
        StatusCodes.Status404NotFound => StatusCode.NotFound,
        StatusCodes.Status409Conflict => StatusCode.Aborted,
        StatusCodes.Status429TooManyRequests => StatusCode.ResourceExhausted,
        StatusCodes.Status503ServiceUnavailable => StatusCode.Unavailable,
        StatusCodes.Status504GatewayTimeout => StatusCode.DeadlineExceeded,
        _ => StatusCode.Internal,
    };
}
