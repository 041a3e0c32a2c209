using Distributed.Gateway.Workers;
using StackExchange.Redis;

namespace Distributed.Gateway.Health;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: the multiplexer is connected to Redis (to every
    /// server it knows, so to each master of a cluster) and at least one worker is healthy.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => Results.Ok(new { status = "live" }));
        health.MapGet("/ready", (IConnectionMultiplexer redis, WorkerPool pool) =>
        {
            var redisState = redis.IsConnected && redis.GetServers().All(s => s.IsConnected) ? "ok" : "unavailable";

            var endpoints = pool.Endpoints;
            var healthy = endpoints.Count(e => e.Available);
            var ready = redisState == "ok" && healthy > 0;
            var body = new { status = ready ? "ready" : "not_ready", redis = redisState, workers = new { healthy, total = endpoints.Count } };
            return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }
}
