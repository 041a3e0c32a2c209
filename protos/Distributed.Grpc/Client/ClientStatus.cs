using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Distributed.Grpc;

/// <summary>How the client turns what came back (or what went wrong) into a gRPC status.</summary>
internal static class ClientStatus
{
    /// <summary>grpc-status and grpc-message from a header block, or null when it has no grpc-status.</summary>
    public static RpcException? FromHeaders(HttpHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out var statusValues))
        {
            return null;
        }

        var detail = headers.NonValidated.TryGetValues(GrpcProtocol.MessageHeader, out var messageValues)
            ? StatusMessageEncoding.Decode(messageValues.ToString())
            : string.Empty;

        var text = statusValues.ToString();
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || !Enum.IsDefined((StatusCode)code))
        {
            return new RpcException(StatusCode.Unknown, $"Invalid grpc-status '{text}'. {detail}".TrimEnd());
        }

        return new RpcException((StatusCode)code, detail);
    }

    /// <summary>grpc/grpc doc/http-grpc-status-mapping.md, for responses without grpc-status.</summary>
    public static StatusCode FromHttpStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests => StatusCode.Unavailable,
        HttpStatusCode.RequestHeaderFieldsTooLarge => StatusCode.Internal,
        HttpStatusCode.BadGateway => StatusCode.Unavailable,
        HttpStatusCode.ServiceUnavailable => StatusCode.Unavailable,
        HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>PROTOCOL-HTTP2 "Errors": RST_STREAM error codes to gRPC codes.</summary>
    public static StatusCode FromHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable, // REFUSED_STREAM: nothing was processed
        0x8 => StatusCode.Cancelled, // CANCEL
        0xb => StatusCode.ResourceExhausted, // ENHANCE_YOUR_CALM
        0xc => StatusCode.PermissionDenied, // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
