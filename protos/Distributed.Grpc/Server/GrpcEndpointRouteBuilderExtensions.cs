using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Distributed.Grpc;

public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>/{service}/{method}</c> for every added method. All HTTP methods are routed here so that a
    /// non-POST gets the spec's 415 instead of routing's 405.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcService(this IEndpointRouteBuilder endpoints, Action<GrpcServiceBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(configure);

        var builder = new GrpcServiceBuilder();
        configure(builder);

        var handler = ServerCallHandler.Create(endpoints.ServiceProvider);

        // A group with no prefix lets the caller add conventions (auth, filters) to all methods at once.
        var group = endpoints.MapGroup(string.Empty);
        foreach (var method in builder.Methods)
        {
            group.Map(method.Path, (RequestDelegate)(context => handler.HandleAsync(context, method)))
                .WithDisplayName($"gRPC {method.Path}");
        }

        return group;
    }

    /// <summary>Maps a fallback so any other application/grpc POST gets grpc-status UNIMPLEMENTED (trailers-only, HTTP 200).</summary>
    public static IEndpointConventionBuilder MapGrpcUnimplemented(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handler = ServerCallHandler.Create(endpoints.ServiceProvider);
        return endpoints.MapFallback("{**path}", (RequestDelegate)handler.HandleUnimplementedAsync)
            .WithDisplayName("gRPC unimplemented");
    }
}
