using System.Security.Claims;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Limits;

/// <summary>
/// Per-principal budgets kept in Redis, so they hold across gateway replicas: requests and generated tokens per
/// minute (fixed one-minute windows) and generations in flight. Over a budget: 429 with Retry-After.
/// </summary>
public sealed class UsageLimiter(IConnectionMultiplexer redis, RedisKeys keys, IOptions<LimitOptions> options, TimeProvider clock)
{
    // One key per script, so any cluster slot will do.
    private static readonly LuaScript IncrementScript = LuaScript.Prepare("""
        local value = redis.call('INCRBY', @counter, @increment)
        if value == tonumber(@increment) then redis.call('EXPIRE', @counter, @ttl) end
        return value
        """);

    public async Task CountRequestAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var limit = options.Value.For(user.RoleName()).RequestsPerMinute;
        if (limit <= 0)
        {
            return;
        }

        var (minute, retry) = Window();
        var count = await IncrementAsync(keys.UsageWindow("requests", user.PrincipalId(), minute), 1, 120, ct);
        if (count > limit)
        {
            throw TooMany($"More than {limit} requests a minute.", retry);
        }
    }

    /// <summary>Checks the token budget and takes a generation slot; dispose the lease when the generation ends.</summary>
    public async Task<IAsyncDisposable> BeginGenerationAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var limits = options.Value.For(user.RoleName());
        var principal = user.PrincipalId();
        if (limits.TokensPerMinute > 0)
        {
            var (minute, retry) = Window();
            var stored = await redis.GetDatabase().StringGetAsync(keys.UsageWindow("tokens", principal, minute)).WaitAsync(ct);
            var used = long.TryParse(stored.ToString(), out var u) ? u : 0;
            if (used >= limits.TokensPerMinute)
            {
                throw TooMany($"More than {limits.TokensPerMinute} generated tokens a minute.", retry);
            }
        }

        if (limits.ConcurrentGenerations <= 0)
        {
            return new Lease(null, null);
        }

        var active = keys.ActiveGenerations(principal);
        // The key expires, so a crashed gateway cannot leave a principal blocked for good.
        var count = await IncrementAsync(active, 1, 600, ct);
        if (count > limits.ConcurrentGenerations)
        {
            await redis.GetDatabase().StringDecrementAsync(active);
            throw TooMany($"At most {limits.ConcurrentGenerations} generations at once.", 1);
        }

        return new Lease(redis, active);
    }

    public async Task RecordTokensAsync(ClaimsPrincipal user, int tokens)
    {
        if (tokens <= 0 || options.Value.For(user.RoleName()).TokensPerMinute <= 0)
        {
            return;
        }

        var (minute, _) = Window();
        await IncrementAsync(keys.UsageWindow("tokens", user.PrincipalId(), minute), tokens, 120, CancellationToken.None);
    }

    private async Task<long> IncrementAsync(string counter, long increment, int ttl, CancellationToken ct) =>
        (long)await IncrementScript.EvaluateAsync(redis.GetDatabase(), new { counter = (RedisKey)counter, increment, ttl }).WaitAsync(ct);

    private (long Minute, int RetryAfter) Window()
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        return (now / 60, (int)(60 - now % 60));
    }

    private static ApiException TooMany(string detail, int retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, "Too many requests", detail) { RetryAfterSeconds = retryAfter };

    private sealed class Lease(IConnectionMultiplexer? redis, string? key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (redis is null || key is null)
            {
                return;
            }

            try
            {
                await redis.GetDatabase().StringDecrementAsync(key);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                // The counter expires on its own.
            }
        }
    }
}
