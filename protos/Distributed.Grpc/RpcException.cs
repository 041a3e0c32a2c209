namespace Distributed.Grpc;

/// <summary>A call that ended with a non-OK gRPC status, on either side of the wire.</summary>
public sealed class RpcException(StatusCode statusCode, string detail, Exception? innerException)
    : Exception($"Status({statusCode}, \"{detail}\")", innerException)
{
    public RpcException(StatusCode statusCode, string detail)
        : this(statusCode, detail, innerException: null)
    {
    }

    public StatusCode StatusCode { get; } = statusCode;

    public string Detail { get; } = detail;
}
