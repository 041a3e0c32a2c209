namespace Distributed.Gateway.GrpcProxy;

public static class GrpcFrontDoorExtensions
{
    public static IServiceCollection AddGrpcFrontDoor(this IServiceCollection services)
    {
        services.AddHttpForwarder();
        services.AddSingleton<GrpcFrontDoor>();
        return services;
    }

    /// <summary>
    /// Takes the contract's paths before the HTTP API's error pages and auth see them: failures are answered as gRPC
    /// statuses. Kestrel serves them on the HTTP/2 endpoint (<c>Kestrel:Endpoints:Grpc</c>).
    /// </summary>
    public static IApplicationBuilder UseGrpcFrontDoor(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // gRPC is HTTP/2 only; the same path over HTTP/1.1 gets the HTTP API's 404.
            if (HttpProtocol.IsHttp2(context.Request.Protocol) && FrontDoorMethod.FromPath(context.Request.Path.Value ?? string.Empty) is { } method)
            {
                await context.RequestServices.GetRequiredService<GrpcFrontDoor>().HandleAsync(context, method);
                return;
            }

            await next(context);
        });
}
