using System.Globalization;
using System.Security.Cryptography;
using Distributed.Gateway.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Auth;

/// <summary>
/// Resolves and issues <c>x-api-key</c> values. Configured keys are checked in memory (so the bootstrap key works even
/// while Redis is down); issued keys live in Redis only as SHA-256, and revoking deletes that entry (effective at once).
/// A key's entry and the principal's list of keys are in different cluster slots, so they change in two steps,
/// ordered so that a crash in between never leaves a working key the principal cannot see (and revoke): listed
/// first and then usable when issuing, unusable first and then unlisted when revoking.
/// </summary>
public sealed class ApiKeyStore(IConnectionMultiplexer redis, RedisKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    private const string KeyPrefix = "dk_";

    private readonly Dictionary<string, ApiKeyIdentity> _configured = Configured(options.Value);

    public async Task<ApiKeyIdentity?> FindAsync(string key, CancellationToken ct)
    {
        var hash = ApiKeyHasher.Hash(key);
        if (_configured.TryGetValue(hash, out var identity))
        {
            return identity;
        }

        var fields = (await redis.GetDatabase().HashGetAllAsync(keys.ApiKey(hash)).WaitAsync(ct)).ToStringDictionary();
        return fields.TryGetValue("principal", out var principal)
            ? new ApiKeyIdentity(principal, fields.GetValueOrDefault("role") ?? Roles.User)
            : null;
    }

    public async Task<CreatedApiKey> IssueAsync(string principal, string role, string name, CancellationToken ct)
    {
        var key = KeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var id = Guid.NewGuid().ToString("D");
        var prefix = key[..(KeyPrefix.Length + 6)];
        var now = clock.GetUtcNow();
        var sha = ApiKeyHasher.Hash(key);
        var db = redis.GetDatabase();
        await db.HashSetAsync(keys.PrincipalKeys(principal), id, sha).WaitAsync(ct);
        await db.HashSetAsync(keys.ApiKey(sha),
        [
            new("principal", principal), new("role", role), new("id", id), new("name", name), new("prefix", prefix),
            new("created", now.ToString("O", CultureInfo.InvariantCulture)),
        ]).WaitAsync(ct);
        return new CreatedApiKey(id, name, prefix, key, now);
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(string principal, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var ids = (await db.HashGetAllAsync(keys.PrincipalKeys(principal)).WaitAsync(ct)).ToStringDictionary();
        var views = await Task.WhenAll(ids.Select(async pair =>
        {
            var f = (await db.HashGetAllAsync(keys.ApiKey(pair.Value)).WaitAsync(ct)).ToStringDictionary();
            return f.Count == 0
                ? null
                : new ApiKeyView(pair.Key, f.GetValueOrDefault("name") ?? string.Empty, f.GetValueOrDefault("prefix") ?? string.Empty,
                    DateTimeOffset.TryParse(f.GetValueOrDefault("created"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var c) ? c : DateTimeOffset.UnixEpoch);
        }));
        return views.OfType<ApiKeyView>().OrderBy(v => v.Created).ToArray();
    }

    /// <summary>Deletes one of the principal's keys; false when it has no such key.</summary>
    public async Task<bool> RevokeAsync(string principal, string id, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var sha = await db.HashGetAsync(keys.PrincipalKeys(principal), id).WaitAsync(ct);
        if (sha.IsNull)
        {
            return false;
        }

        await db.KeyDeleteAsync(keys.ApiKey(sha.ToString())).WaitAsync(ct);
        await db.HashDeleteAsync(keys.PrincipalKeys(principal), id).WaitAsync(ct);
        return true;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Dictionary<string, ApiKeyIdentity> Configured(AuthOptions options)
    {
        var map = new Dictionary<string, ApiKeyIdentity>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            map[ApiKeyHasher.Hash(options.ApiKey)] = new ApiKeyIdentity("admin", Roles.Admin, Configured: true);
        }

        foreach (var key in options.Keys.Where(k => k.Key.Length > 0 && k.Principal.Length > 0))
        {
            map[ApiKeyHasher.Hash(key.Key)] = new ApiKeyIdentity(key.Principal, key.Role, Configured: true);
        }

        return map;
    }
}
