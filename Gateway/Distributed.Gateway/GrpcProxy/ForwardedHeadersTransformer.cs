using Yarp.ReverseProxy.Forwarder;

namespace Distributed.Gateway.GrpcProxy;

/// <summary>Copies the call as it is (YARP's empty transform), except the caller's credentials, which the workers never see.</summary>
public sealed class ForwardedHeadersTransformer : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Remove("x-api-key");
        proxyRequest.Headers.Authorization = null;
    }
}
