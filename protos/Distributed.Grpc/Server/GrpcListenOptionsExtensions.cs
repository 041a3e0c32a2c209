using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Distributed.Grpc;

public static class GrpcListenOptionsExtensions
{
    /// <summary>
    /// Serves HTTP/2 only on this endpoint. Over cleartext, gRPC clients speak HTTP/2 with prior
    /// knowledge (no upgrade from HTTP/1.1), which Kestrel accepts only when HTTP/1.1 is off.
    /// </summary>
    public static ListenOptions UseGrpcHttp2(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        listenOptions.Protocols = HttpProtocols.Http2;
        return listenOptions;
    }
}
