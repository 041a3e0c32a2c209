using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Telemetry;
using Distributed.Gateway.Users;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Auth;

/// <summary>
/// Failed logins counted in Redis (so every gateway replica sees them), per email, per client address and email, and
/// per client address. An attempt is reserved on every counter before the password is verified (INCR-and-check in one
/// script per key), so no more than a limit's worth of guesses is ever verified, however many arrive at once; a failed
/// attempt keeps its reservations (they are the failure counts), a successful one resets the email's counters and
/// gives back its address reservation. A locked-out attempt gets 429 whether or not the email exists, so the answer
/// reveals nothing. The counters are in different cluster slots: one script per key, all in one batch (one round
/// trip); the reservations an attempt took on the other keys are given back when one key refuses it.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, RedisKeys keys, IOptions<AuthOptions> options, GatewayMetrics metrics)
{
    // > 0: the attempt is reserved (the count with it); <= 0: refused, minus the seconds until the counter expires.
    private static readonly LuaScript ReserveScript = LuaScript.Prepare("""
        local count = redis.call('INCR', @counter)
        if redis.call('TTL', @counter) < 0 then redis.call('EXPIRE', @counter, @window) end
        if count > tonumber(@limit) then
          redis.call('DECR', @counter)
          return -math.max(1, redis.call('TTL', @counter))
        end
        return count
        """);

    private static readonly LuaScript ReleaseScript = LuaScript.Prepare("""
        local count = tonumber(redis.call('GET', @counter) or '0')
        if count <= 1 then redis.call('DEL', @counter) else redis.call('DECR', @counter) end
        return 0
        """);

    /// <summary>Reserves one attempt for the email from the address, or throws 429 when any of its counters is at its limit.</summary>
    public async Task<LoginAttempt> ReserveAsync(string email, string address, CancellationToken ct)
    {
        var o = options.Value;
        var window = (long)Math.Max(1, o.LoginLockout.TotalSeconds);
        var counters = Counters(email, address)
            .Zip([o.LoginMaxFailuresPerEmail, o.LoginMaxFailuresPerAddress, o.LoginMaxFailuresPerAddressTotal])
            .Where(c => c.Second > 0) // a limit of 0 switches that counter off
            .ToArray();
        var batch = redis.GetDatabase().CreateBatch();
        var reserved = counters.Select(c => ReserveScript.EvaluateAsync(batch, new { counter = (RedisKey)c.First, limit = c.Second, window })).ToArray();
        batch.Execute();
        var results = (await Task.WhenAll(reserved).WaitAsync(ct)).Select(r => (long)r).ToArray();
        if (results.All(r => r > 0))
        {
            return new LoginAttempt(this, email, address);
        }

        await ReleaseAsync(counters.Where((_, i) => results[i] > 0).Select(c => c.First));
        metrics.RecordLimitRejection(LimitKinds.Login);
        throw new ApiException(StatusCodes.Status429TooManyRequests, "Too many attempts", "Too many failed logins; try again later.")
        {
            RetryAfterSeconds = (int)Math.Max(1, results.Where(r => r <= 0).Max(r => -r)),
        };
    }

    /// <summary>The attempt succeeded: the email's failures are forgotten, and it was no failure of its address.</summary>
    internal async Task SucceededAsync(string email, string address)
    {
        var (emailKey, addressEmailKey, addressKey) = Keys(email, address);
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var done = new Task[]
        {
            batch.KeyDeleteAsync(emailKey),
            batch.KeyDeleteAsync(addressEmailKey),
            options.Value.LoginMaxFailuresPerAddressTotal > 0 ? ReleaseScript.EvaluateAsync(batch, new { counter = (RedisKey)addressKey }) : Task.CompletedTask,
        };
        batch.Execute();
        await Task.WhenAll(done);
    }

    private async Task ReleaseAsync(IEnumerable<string> counters)
    {
        var batch = redis.GetDatabase().CreateBatch();
        var released = counters.Select(c => ReleaseScript.EvaluateAsync(batch, new { counter = (RedisKey)c })).ToArray();
        batch.Execute();
        await Task.WhenAll(released);
    }

    private string[] Counters(string email, string address)
    {
        var (emailKey, addressEmailKey, addressKey) = Keys(email, address);
        return [emailKey, addressEmailKey, addressKey];
    }

    private (string Email, string AddressEmail, string Address) Keys(string email, string address)
    {
        var emailHash = UserStore.EmailHash(email);
        var addressHash = ApiKeyHasher.Hash(address);
        return (
            keys.LoginFailures("email", emailHash),
            keys.LoginFailures("address-email", $"{addressHash}:{emailHash}"),
            keys.LoginFailures("address", addressHash));
    }
}

/// <summary>One reserved login attempt: a failure unless <see cref="SucceededAsync"/> is called.</summary>
public sealed class LoginAttempt
{
    private readonly LoginThrottle _throttle;
    private readonly string _email;
    private readonly string _address;

    internal LoginAttempt(LoginThrottle throttle, string email, string address)
    {
        _throttle = throttle;
        _email = email;
        _address = address;
    }

    public Task SucceededAsync() => _throttle.SucceededAsync(_email, _address);
}
