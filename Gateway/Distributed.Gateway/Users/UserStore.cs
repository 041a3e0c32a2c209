using System.Globalization;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Storage;
using StackExchange.Redis;

namespace Distributed.Gateway.Users;

/// <summary>
/// Accounts in Redis; an email maps to one user (SET NX on the email key). The user, the email key and the list of
/// users are in different cluster slots, so creating takes three ordered steps instead of one script: the user
/// hash under a fresh id (unreachable until the email points to it), SET NX of the email (the uniqueness check; on
/// failure the hash is deleted again), then the list. A crash in between leaves at most an unreachable hash or a
/// user missing from the admin list, never an email pointing at nothing.
/// </summary>
public sealed class UserStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider clock)
{

    public static string EmailHash(string email) => ApiKeyHasher.Hash(email.Trim().ToLowerInvariant());

    /// <summary>Creates the user; null when the email is taken.</summary>
    public async Task<UserRecord?> CreateAsync(string email, string firstName, string lastName, string passwordHash, string role, CancellationToken ct)
    {
        var id = Guid.NewGuid().ToString("D");
        var now = clock.GetUtcNow();
        var db = redis.GetDatabase();
        await db.HashSetAsync(keys.User(id),
        [
            new("email", email), new("first_name", firstName), new("last_name", lastName), new("password_hash", passwordHash),
            new("role", role), new("disabled", "0"), new("created", now.ToString("O", CultureInfo.InvariantCulture)),
        ]).WaitAsync(ct);
        if (!await db.StringSetAsync(keys.UserByEmail(EmailHash(email)), id, when: When.NotExists).WaitAsync(ct))
        {
            await db.KeyDeleteAsync(keys.User(id)).WaitAsync(ct);
            return null;
        }

        await db.SortedSetAddAsync(keys.Users, id, now.ToUnixTimeMilliseconds()).WaitAsync(ct);
        return new UserRecord(id, email, firstName, lastName, role, false, now, passwordHash);
    }

    public async Task<UserRecord?> FindByEmailAsync(string email, CancellationToken ct)
    {
        var id = await redis.GetDatabase().StringGetAsync(keys.UserByEmail(EmailHash(email))).WaitAsync(ct);
        return id.IsNull ? null : await FindAsync(id.ToString(), ct);
    }

    public async Task<UserRecord?> FindAsync(string id, CancellationToken ct)
    {
        var f = (await redis.GetDatabase().HashGetAllAsync(keys.User(id)).WaitAsync(ct)).ToStringDictionary();
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
        var ids = await redis.GetDatabase().SortedSetRangeByRankAsync(keys.Users).WaitAsync(ct);
        var users = await Task.WhenAll(ids.Select(id => FindAsync(id.ToString(), ct)));
        return users.OfType<UserRecord>().ToArray();
    }

    /// <summary>True when the principal is a user who was disabled (principals that are not users are never disabled).</summary>
    public async Task<bool> IsDisabledAsync(string principal, CancellationToken ct) =>
        await redis.GetDatabase().HashGetAsync(keys.User(principal), "disabled").WaitAsync(ct) == "1";

    /// <summary>Sets the flag; false when there is no such user.</summary>
    public async Task<bool> SetDisabledAsync(string id, bool disabled, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        if (!await db.KeyExistsAsync(keys.User(id)).WaitAsync(ct))
        {
            return false;
        }

        await db.HashSetAsync(keys.User(id), "disabled", disabled ? "1" : "0").WaitAsync(ct);
        return true;
    }
}
