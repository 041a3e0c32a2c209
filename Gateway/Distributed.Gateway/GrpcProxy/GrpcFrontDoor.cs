using System.Diagnostics;
using System.Net;
using Distributed.Contracts;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Workers;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Distributed.Gateway.GrpcProxy;

/// <summary>
/// The gateway's gRPC front door: <c>distributed.inference.v1.Inference/*</c> from service clients, authenticated
/// with the gateway's API keys and JWTs (admin or service role), counted against the caller's request budget, routed
/// by the model header with the gateway's own <see cref="WorkerRouter"/> and forwarded unchanged (YARP), so
/// deadlines, cancellation, streaming and trailers pass through.
/// </summary>
public sealed partial class GrpcFrontDoor(
    IHttpForwarder forwarder,
    WorkerRouter router,
    WorkerPool pool,
    UsageLimiter limiter,
    IOptions<GatewayOptions> gateway,
    ILogger<GrpcFrontDoor> logger) : IDisposable
{
    private static readonly ForwardedHeadersTransformer Transformer = new();

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private readonly ForwarderRequestConfig _config = new()
    {
        // Workers speak cleartext HTTP/2 only (prior knowledge), like the gateway's own channels.
        Version = HttpVersion.Version20,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        // A streamed generation may pause for its prefill; the call's own deadline (grpc-timeout) still applies end to end.
        ActivityTimeout = gateway.Value.GenerationTimeout,
    };

    public async Task HandleAsync(HttpContext context, FrontDoorMethod method)
    {
        try
        {
            var user = await AuthenticateAsync(context, method);
            await limiter.CountRequestAsync(user, context.RequestAborted);
            var worker = Pick(context, method);
            var error = await forwarder.SendAsync(context, worker.Address.ToString(), _invoker, _config, Transformer);
            if (error != ForwarderError.None && !context.Response.HasStarted)
            {
                LogForwardFailed(logger, worker.Address, error);
                await GrpcStatusWriter.WriteAsync(context, StatusCode.Unavailable, $"Worker {worker.Address} could not be reached.");
            }
        }
        catch (ApiException ex) when (!context.Response.HasStarted)
        {
            var retryAfter = ex.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            await GrpcStatusWriter.WriteAsync(context, GrpcStatusWriter.FromHttp(ex.Status), ex.Message, retryAfter);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !context.Response.HasStarted)
        {
            // A dependency of auth or limits (Redis) failed: the same answer the HTTP API gives, as a gRPC status.
            LogFrontDoorFailed(logger, ex);
            await GrpcStatusWriter.WriteAsync(context, StatusCode.Unavailable, "The gateway cannot serve the call now.", TimeSpan.FromSeconds(5));
        }
    }

    public void Dispose() => _invoker.Dispose();

    private static async Task<System.Security.Claims.ClaimsPrincipal> AuthenticateAsync(HttpContext context, FrontDoorMethod method)
    {
        var result = await context.AuthenticateAsync();
        if (!result.Succeeded)
        {
            throw new ApiException(StatusCodes.Status401Unauthorized, "Unauthorized", "An API key (x-api-key) or a bearer token is required.");
        }

        var user = result.Principal;
        var allowed = user.IsInRole(Roles.Admin) || (!method.AdminOnly && user.IsInRole(Roles.Service));
        if (!allowed)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "Forbidden", method.AdminOnly
                ? $"{method.Name} needs the admin role."
                : "The gRPC front door needs the admin or service role.");
        }

        context.User = user;
        return user;
    }

    private WorkerEndpoint Pick(HttpContext context, FrontDoorMethod method)
    {
        var headers = context.Request.Headers;
        if (method.NeedsModel)
        {
            var model = headers[InferenceHeaders.Model].ToString();
            if (model.Length == 0)
            {
                throw ApiException.BadRequest(InferenceHeaders.Model, $"{method.Name} through the gateway needs the {InferenceHeaders.Model} header.");
            }

            var canonical = router.RequireKnownModel(model, InferenceHeaders.Model);
            var cacheKey = headers[InferenceHeaders.CacheKey].ToString();
            return router.Pick(canonical, new HashSet<WorkerEndpoint>(), cacheKey.Length > 0 ? cacheKey : null)
                ?? throw ApiException.Unavailable($"No healthy worker can serve '{model}'.");
        }

        var named = headers[InferenceHeaders.Worker].ToString();
        if (named.Length > 0)
        {
            return pool.Endpoints.FirstOrDefault(e => string.Equals(e.Address.ToString().TrimEnd('/'), named.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
                ?? throw new ApiException(StatusCodes.Status404NotFound, "Unknown worker", $"No worker '{named}' is known.");
        }

        return pool.Endpoints.Where(e => e.Available).OrderBy(e => e.Status?.ActiveSequences + e.Status?.QueuedSequences ?? 0).FirstOrDefault()
            ?? throw ApiException.Unavailable("No inference worker is healthy.");
    }

    [LoggerMessage(EventId = 71, Level = LogLevel.Error, Message = "A gRPC front door call failed before forwarding")]
    private static partial void LogFrontDoorFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 70, Level = LogLevel.Warning, Message = "Forwarding a gRPC call to {Address} failed: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, Uri address, ForwarderError error);
}
