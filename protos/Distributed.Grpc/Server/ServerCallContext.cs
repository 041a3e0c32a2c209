using Microsoft.AspNetCore.Http;

namespace Distributed.Grpc;

/// <summary>What a handler knows about the call it serves.</summary>
public sealed class ServerCallContext
{
    internal ServerCallContext(HttpContext httpContext, string method, DateTime? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    public HttpContext HttpContext { get; }

    /// <summary>Fires when the client went away (RST_STREAM, connection lost) or the deadline passed.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>The deadline from <c>grpc-timeout</c>, in UTC; null when the client sent none.</summary>
    public DateTime? Deadline { get; }

    public IHeaderDictionary RequestHeaders => HttpContext.Request.Headers;

    /// <summary>The HTTP/2 :path, e.g. <c>/distributed.inference.v1.Inference/Generate</c>.</summary>
    public string Method { get; }
}
