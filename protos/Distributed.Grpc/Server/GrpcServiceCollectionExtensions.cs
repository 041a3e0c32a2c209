using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Grpc;

public static class GrpcServiceCollectionExtensions
{
    /// <summary>Registers what <see cref="GrpcEndpointRouteBuilderExtensions"/> needs: routing and <see cref="GrpcServerOptions"/>.</summary>
    public static IServiceCollection AddGrpcTransport(this IServiceCollection services, Action<GrpcServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddRouting();
        var options = services.AddOptions<GrpcServerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }
}
