using System.Security.Claims;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Telemetry;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Limits;

/// <summary>
/// Per-principal budgets kept in Redis, so they hold across gateway replicas: requests and generated tokens per
/// minute (fixed one-minute windows) and generations in flight. Over a budget: 429 with Retry-After, counted by
/// <see cref="LimitKinds"/>.
/// </summary>
public sealed class UsageLimiter(
    IConnectionMultiplexer redis, RedisKeys keys, IOptions<LimitOptions> options, IOptions<GatewayOptions> gateway, TimeProvider clock, GatewayMetrics metrics)
{
    // One key per script, so any cluster slot will do.
    private static readonly LuaScript IncrementScript = LuaScript.Prepare("""
        local value = redis.call('INCRBY', @counter, @increment)
        if value == tonumber(@increment) then redis.call('EXPIRE', @counter, @ttl) end
        return value
        """);

    // Generations in flight of a principal: a sorted set of generation ids scored by lease expiry (Redis time, ms).
    // Drops lapsed entries, counts the live ones and, under the limit (0: no check, a renewal), adds or extends this
    // one; the key expires with its last entry. One key, so any cluster slot will do.
    private static readonly LuaScript GenerationLeaseScript = LuaScript.Prepare("""
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREMRANGEBYSCORE', @key, '-inf', now)
        local limit = tonumber(@limit)
        if limit > 0 and redis.call('ZCARD', @key) >= limit then return 0 end
        redis.call('ZADD', @key, now + tonumber(@lease), @member)
        local last = redis.call('ZRANGE', @key, -1, -1, 'WITHSCORES')
        redis.call('PEXPIRE', @key, math.max(1, tonumber(last[2]) - now))
        return 1
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
            throw TooMany(LimitKinds.Rate, $"More than {limit} requests a minute.", retry);
        }
    }

    /// <summary>Checks the token budget and takes a generation slot (a lease); dispose it when the generation ends.</summary>
    public async Task<RedisLease> BeginGenerationAsync(ClaimsPrincipal user, CancellationToken ct)
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
                throw TooMany(LimitKinds.Tokens, $"More than {limits.TokensPerMinute} generated tokens a minute.", retry);
            }
        }

        if (limits.ConcurrentGenerations <= 0)
        {
            return RedisLease.None;
        }

        // One lease per running generation (a sorted set member scored by its expiry): a crashed gateway's
        // generations stop counting within one lease, instead of a counter that nothing would ever decrement.
        var db = redis.GetDatabase();
        var active = (RedisKey)keys.ActiveGenerations(principal);
        var member = Guid.NewGuid().ToString("N");
        var lease = (long)gateway.Value.LeaseDuration.TotalMilliseconds;
        var taken = (long)await GenerationLeaseScript.EvaluateAsync(db, new { key = active, member, lease, limit = limits.ConcurrentGenerations }).WaitAsync(ct);
        if (taken == 0)
        {
            throw TooMany(LimitKinds.Concurrency, $"At most {limits.ConcurrentGenerations} generations at once.", 1);
        }

        return new RedisLease(
            gateway.Value.LeaseDuration,
            async () =>
            {
                // Renewal re-adds the entry should it have lapsed (e.g. Redis was away): the generation is still running.
                await GenerationLeaseScript.EvaluateAsync(db, new { key = active, member, lease, limit = 0 });
                return true;
            },
            () => db.SortedSetRemoveAsync(active, member));
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

    private ApiException TooMany(string kind, string detail, int retryAfter)
    {
        metrics.RecordLimitRejection(kind);
        return new(StatusCodes.Status429TooManyRequests, "Too many requests", detail) { RetryAfterSeconds = retryAfter };
    }
}
