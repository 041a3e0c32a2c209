using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Distributed.Grpc;

/// <summary>The request delegate behind every mapped gRPC endpoint.</summary>
internal sealed class ServerCallHandler
{
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;

    private ServerCallHandler(GrpcServerOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    public static ServerCallHandler Create(IServiceProvider services)
    {
        var options = services.GetService<IOptions<GrpcServerOptions>>()?.Value ?? new GrpcServerOptions();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("Distributed.Grpc.Server") ?? NullLogger.Instance;
        return new ServerCallHandler(options, logger);
    }

    public async Task HandleAsync(HttpContext httpContext, ServerMethod method)
    {
        if (!Accept(httpContext))
        {
            return;
        }

        // Routing matches literals case-insensitively, but a gRPC :path is case-sensitive.
        if (!string.Equals(httpContext.Request.Path.Value, method.Path, StringComparison.Ordinal))
        {
            await WriteUnimplementedAsync(httpContext);
            return;
        }

        // Our MaxReceiveMessageSize is the limit that counts, not Kestrel's 30 MB body cap.
        if (httpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        await using var call = new ServerCall(httpContext, method.Path, _options, _logger);
        call.StartDeadlineTimer();
        try
        {
            await method.InvokeAsync(call);
            await call.FinishAsync(StatusCode.OK, null);
        }
        catch (Exception e)
        {
            // Whatever went wrong becomes a grpc-status; a gRPC client must never see an HTTP 500.
            await call.FailAsync(e);
        }
    }

    /// <summary>Any gRPC request with no mapped method: trailers-only UNIMPLEMENTED.</summary>
    public async Task HandleUnimplementedAsync(HttpContext httpContext)
    {
        if (Accept(httpContext))
        {
            await WriteUnimplementedAsync(httpContext);
        }
    }

    private async Task WriteUnimplementedAsync(HttpContext httpContext)
    {
        var path = httpContext.Request.Path.Value ?? string.Empty;
        await using var call = new ServerCall(httpContext, path, _options, _logger);
        await call.FinishAsync(StatusCode.Unimplemented, $"Method '{path}' is unimplemented.");
    }

    /// <summary>Answers requests that are not gRPC at the HTTP level, as the spec asks.</summary>
    private bool Accept(HttpContext httpContext)
    {
        var request = httpContext.Request;
        if (!HttpMethods.IsPost(request.Method) || !GrpcProtocol.IsProtobufContentType(request.ContentType))
        {
            // 415 rather than a gRPC error: a status in a 200 would look like success to a plain HTTP client.
            ServerLog.NotGrpcRequest(_logger, request.Method, request.Path, request.ContentType);
            httpContext.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return false;
        }

        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            // Trailers carry the status; HTTP/1.1 cannot be relied on for them.
            ServerLog.NotHttp2(_logger, request.Path, request.Protocol);
            httpContext.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            httpContext.Response.Headers.Upgrade = "h2c";
            return false;
        }

        return true;
    }
}
