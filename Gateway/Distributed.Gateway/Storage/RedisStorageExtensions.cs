using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Storage;

public static class RedisStorageExtensions
{
    /// <summary>
    /// Binds <see cref="RedisOptions"/> (validated at startup; REDIS_HOST, REDIS_PORT, REDIS_PASSWORD win when set) and
    /// registers the one <see cref="IConnectionMultiplexer"/> of the process. It connects in the background from
    /// startup, so the gateway starts while Redis is down and recovers by itself when it comes back. Its commands are
    /// timed by <see cref="RedisCommandMetrics"/>.
    /// </summary>
    public static IServiceCollection AddRedisStorage(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<RedisOptions>()
            .BindConfiguration(RedisOptions.SectionName)
            .PostConfigure(redis =>
            {
                redis.Host = config["REDIS_HOST"] ?? redis.Host;
                redis.Port = int.TryParse(config["REDIS_PORT"], out var port) ? port : redis.Port;
                redis.Password = config["REDIS_PASSWORD"] ?? redis.Password;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisOptions>, RedisOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<RedisCommandMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisCommandMetrics>());
        services.TryAddSingleton<IConnectionMultiplexer>(sp =>
        {
            var multiplexer = RedisConnector.Connect(
                sp.GetRequiredService<IOptions<RedisOptions>>().Value,
                sp.GetRequiredService<ILogger<RedisConnector>>());
            // Every command's timing, for db.client.operation.duration (the client publishes no meter of its own).
            multiplexer.RegisterProfiler(sp.GetRequiredService<RedisCommandMetrics>().CurrentSession);
            return multiplexer;
        });
        services.AddHostedService<RedisConnector>();
        services.AddSingleton<RedisKeys>();
        return services;
    }
}
