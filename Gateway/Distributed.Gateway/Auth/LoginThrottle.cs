using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Users;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Auth;

/// <summary>
/// Counts failed logins per email and per client address in Redis (so every gateway replica sees them). A locked-out
/// attempt gets 429 whether or not the email exists, so the answer reveals nothing. The two counters are in different
/// cluster slots: each is counted atomically on its own (one script per key), both in one batch (one round trip).
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, RedisKeys keys, IOptions<AuthOptions> options)
{
    private static readonly LuaScript FailScript = LuaScript.Prepare("""
        if redis.call('INCR', @counter) == 1 then redis.call('EXPIRE', @counter, @window) end
        return 1
        """);

    public async Task ThrowIfLockedAsync(string email, string address, CancellationToken ct)
    {
        var (emailKey, addressKey) = Keys(email, address);
        var batch = redis.GetDatabase().CreateBatch();
        var emailCount = batch.StringGetAsync(emailKey);
        var addressCount = batch.StringGetAsync(addressKey);
        var emailTtl = batch.KeyTimeToLiveAsync(emailKey);
        var addressTtl = batch.KeyTimeToLiveAsync(addressKey);
        batch.Execute();
        await Task.WhenAll(emailCount, addressCount, emailTtl, addressTtl).WaitAsync(ct);
        var emailFailures = long.TryParse(emailCount.Result.ToString(), out var e) ? e : 0;
        var addressFailures = long.TryParse(addressCount.Result.ToString(), out var a) ? a : 0;
        var o = options.Value;
        if (emailFailures >= o.LoginMaxFailuresPerEmail || addressFailures >= o.LoginMaxFailuresPerAddress)
        {
            var retry = Math.Max(1, Math.Max(Seconds(emailTtl.Result), Seconds(addressTtl.Result)));
            throw new ApiException(StatusCodes.Status429TooManyRequests, "Too many attempts", "Too many failed logins; try again later.")
            {
                RetryAfterSeconds = (int)retry,
            };
        }
    }

    public async Task RecordFailureAsync(string email, string address, CancellationToken ct)
    {
        var (emailKey, addressKey) = Keys(email, address);
        var window = (long)options.Value.LoginLockout.TotalSeconds;
        var batch = redis.GetDatabase().CreateBatch();
        var counted = new[]
        {
            FailScript.EvaluateAsync(batch, new { counter = (RedisKey)emailKey, window }),
            FailScript.EvaluateAsync(batch, new { counter = (RedisKey)addressKey, window }),
        };
        batch.Execute();
        await Task.WhenAll(counted).WaitAsync(ct);
    }

    public async Task RecordSuccessAsync(string email, CancellationToken ct) =>
        await redis.GetDatabase().KeyDeleteAsync(keys.LoginFailures("email", UserStore.EmailHash(email))).WaitAsync(ct);

    // Whole seconds as TTL reports them (rounded); a missing key or one without expiry counts 0.
    private static long Seconds(TimeSpan? ttl) => ttl is { } t ? (long)Math.Round(t.TotalSeconds) : 0;

    private (string Email, string Address) Keys(string email, string address) =>
        (keys.LoginFailures("email", UserStore.EmailHash(email)), keys.LoginFailures("address", ApiKeyHasher.Hash(address)));
}
