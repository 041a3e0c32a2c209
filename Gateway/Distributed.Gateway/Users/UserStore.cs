using System.Globalization;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Storage;
using Distributed.Redis;

namespace Distributed.Gateway.Users;

/// <summary>Accounts in Redis; an email maps to one user (SET NX inside the creating script).</summary>
public sealed class UserStore(RedisConnection redis, RedisKeys keys, TimeProvider clock)
{
    // KEYS: email index, user, users. ARGV: id, email, first, last, hash, role, created, score.
    private static readonly RedisScript CreateScript = new("""
        if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return 0 end
        redis.call('HSET', KEYS[2], 'email', ARGV[2], 'first_name', ARGV[3], 'last_name', ARGV[4], 'password_hash', ARGV[5], 'role', ARGV[6], 'disabled', '0', 'created', ARGV[7])
        redis.call('ZADD', KEYS[3], ARGV[8], ARGV[1])
        return 1
        """);

    public static string EmailHash(string email) => ApiKeyHasher.Hash(email.Trim().ToLowerInvariant());

    /// <summary>Creates the user; null when the email is taken.</summary>
    public async Task<UserRecord?> CreateAsync(string email, string firstName, string lastName, string passwordHash, string role, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("D");
        var now = clock.GetUtcNow();
        var created = await redis.EvalAsync(
            CreateScript,
            [keys.UserByEmail(EmailHash(email)), keys.User(id), keys.Users],
            [id, email, firstName, lastName, passwordHash, role, now.ToString("O", CultureInfo.InvariantCulture), now.ToUnixTimeMilliseconds()],
            ct);
        return created.AsInt64() == 1 ? new UserRecord(id, email, firstName, lastName, role, false, now, passwordHash) : null;
    }

    public async Task<UserRecord?> FindByEmailAsync(string email, CancellationToken ct)
    {
        var id = await redis.GetAsync(keys.UserByEmail(EmailHash(email)), ct);
        return id is null ? null : await FindAsync(id, ct);
    }

    public async Task<UserRecord?> FindAsync(string id, CancellationToken ct)
    {
        var f = await redis.HGetAllAsync(keys.User(id), ct);
        if (f.Count == 0)
        {
            return null;
        }

        return new UserRecord(
            id,
            f.GetValueOrDefault("email") ?? string.Empty,
            f.GetValueOrDefault("first_name") ?? string.Empty,
            f.GetValueOrDefault("last_name") ?? string.Empty,
            f.GetValueOrDefault("role") ?? Roles.User,
            f.GetValueOrDefault("disabled") == "1",
            DateTimeOffset.TryParse(f.GetValueOrDefault("created"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var c) ? c : DateTimeOffset.UnixEpoch,
            f.GetValueOrDefault("password_hash") ?? string.Empty);
    }

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken ct)
    {
        var ids = await redis.ZRangeAsync(keys.Users, 0, -1, ct);
        var users = await Task.WhenAll(ids.Select(id => FindAsync(id, ct)));
        return users.OfType<UserRecord>().ToArray();
    }

    /// <summary>True when the principal is a user who was disabled (principals that are not users are never disabled).</summary>
    public async Task<bool> IsDisabledAsync(string principal, CancellationToken ct) =>
        await redis.HGetAsync(keys.User(principal), "disabled", ct) == "1";

    /// <summary>Sets the flag; false when there is no such user.</summary>
    public async Task<bool> SetDisabledAsync(string id, bool disabled, CancellationToken ct)
    {
        if (!await redis.ExistsAsync(keys.User(id), ct))
        {
            return false;
        }

        await redis.HSetAsync(keys.User(id), "disabled", disabled ? "1" : "0", ct);
        return true;
    }
}
