using Distributed.Gateway.Workers;
using Distributed.Redis;

namespace Distributed.Gateway.Health;

public static class HealthEndpoints
{
    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: Redis answers and at least one worker is healthy.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => Results.Ok(new { status = "live" }));
        health.MapGet("/ready", async (RedisConnection redis, WorkerPool pool, CancellationToken ct) =>
        {
            string redisState;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await redis.PingAsync(timeout.Token);
                redisState = "ok";
            }
            catch (Exception ex) when (ex is RedisException or OperationCanceledException)
            {
                redisState = "unavailable";
            }

            var endpoints = pool.Endpoints;
            var healthy = endpoints.Count(e => e.Available);
            var ready = redisState == "ok" && healthy > 0;
            var body = new { status = ready ? "ready" : "not_ready", redis = redisState, workers = new { healthy, total = endpoints.Count } };
            return ready ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }
}
