using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Distributed.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="RedisOptions"/> from the configuration section (validated at startup) and registers one
    /// shared <see cref="RedisConnection"/>. It connects lazily on the first command; the container disposes it.
    /// </summary>
    public static IServiceCollection AddRedis(this IServiceCollection services, string configSectionPath = "Redis")
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(configSectionPath);

        services.AddOptions<RedisOptions>()
            .BindConfiguration(configSectionPath)
            .PostConfigure(options =>
            {
                if (!string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    options.ApplyConnectionString(options.ConnectionString);
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.TryAddSingleton(sp => new RedisConnection(
            sp.GetRequiredService<IOptions<RedisOptions>>().Value,
            sp.GetService<ILogger<RedisConnection>>()));
        return services;
    }
}
