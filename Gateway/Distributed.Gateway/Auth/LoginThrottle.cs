using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Users;
using Distributed.Redis;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Auth;

/// <summary>
/// Counts failed logins per email and per client address in Redis (so every gateway replica sees them). A locked-out
/// attempt gets 429 whether or not the email exists, so the answer reveals nothing.
/// </summary>
public sealed class LoginThrottle(RedisConnection redis, RedisKeys keys, IOptions<AuthOptions> options)
{
    // KEYS: email counter, address counter. ARGV: window seconds.
    private static readonly RedisScript FailScript = new("""
        for i = 1, 2 do
          if redis.call('INCR', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end
        end
        return 1
        """);

    public async Task ThrowIfLockedAsync(string email, string address, CancellationToken ct)
    {
        var (emailKey, addressKey) = Keys(email, address);
        var replies = await redis.ExecuteBatchAsync([new RedisCommand("GET", emailKey), new RedisCommand("GET", addressKey), new RedisCommand("TTL", emailKey), new RedisCommand("TTL", addressKey)], ct);
        var emailFailures = long.TryParse(replies[0].AsString(), out var e) ? e : 0;
        var addressFailures = long.TryParse(replies[1].AsString(), out var a) ? a : 0;
        var o = options.Value;
        if (emailFailures >= o.LoginMaxFailuresPerEmail || addressFailures >= o.LoginMaxFailuresPerAddress)
        {
            var retry = Math.Max(1, Math.Max(replies[2].AsInt64(), replies[3].AsInt64()));
            throw new ApiException(StatusCodes.Status429TooManyRequests, "Too many attempts", "Too many failed logins; try again later.")
            {
                RetryAfterSeconds = (int)retry,
            };
        }
    }

    public async Task RecordFailureAsync(string email, string address, CancellationToken ct)
    {
        var (emailKey, addressKey) = Keys(email, address);
        await redis.EvalAsync(FailScript, [emailKey, addressKey], [(long)options.Value.LoginLockout.TotalSeconds], ct);
    }

    public async Task RecordSuccessAsync(string email, CancellationToken ct) =>
        await redis.DelAsync(keys.LoginFailures("email", UserStore.EmailHash(email)), ct);

    private (string Email, string Address) Keys(string email, string address) =>
        (keys.LoginFailures("email", UserStore.EmailHash(email)), keys.LoginFailures("address", ApiKeyHasher.Hash(address)));
}
