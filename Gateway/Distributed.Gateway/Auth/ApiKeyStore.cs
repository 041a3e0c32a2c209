using System.Globalization;
using System.Security.Cryptography;
using Distributed.Gateway.Storage;
using Distributed.Redis;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Auth;

/// <summary>
/// Resolves and issues <c>x-api-key</c> values. Configured keys are checked in memory (so the bootstrap key works even
/// while Redis is down); issued keys live in Redis only as SHA-256, and revoking deletes that entry (effective at once).
/// </summary>
public sealed class ApiKeyStore(RedisConnection redis, RedisKeys keys, IOptions<AuthOptions> options, TimeProvider clock)
{
    private const string KeyPrefix = "dk_";

    // KEYS: key entry, principal's keys. ARGV: principal, role, id, name, prefix, created, sha.
    private static readonly RedisScript IssueScript = new("""
        redis.call('HSET', KEYS[1], 'principal', ARGV[1], 'role', ARGV[2], 'id', ARGV[3], 'name', ARGV[4], 'prefix', ARGV[5], 'created', ARGV[6])
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[7])
        return 1
        """);

    private readonly Dictionary<string, ApiKeyIdentity> _configured = Configured(options.Value);

    public async Task<ApiKeyIdentity?> FindAsync(string key, CancellationToken ct)
    {
        var hash = ApiKeyHasher.Hash(key);
        if (_configured.TryGetValue(hash, out var identity))
        {
            return identity;
        }

        var fields = await redis.HGetAllAsync(keys.ApiKey(hash), ct);
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
        await redis.EvalAsync(
            IssueScript,
            [keys.ApiKey(sha), keys.PrincipalKeys(principal)],
            [principal, role, id, name, prefix, now.ToString("O", CultureInfo.InvariantCulture), sha],
            ct);
        return new CreatedApiKey(id, name, prefix, key, now);
    }

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(string principal, CancellationToken ct)
    {
        var ids = await redis.HGetAllAsync(keys.PrincipalKeys(principal), ct);
        var views = await Task.WhenAll(ids.Select(async pair =>
        {
            var f = await redis.HGetAllAsync(keys.ApiKey(pair.Value), ct);
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
        var sha = await redis.HGetAsync(keys.PrincipalKeys(principal), id, ct);
        if (sha is null)
        {
            return false;
        }

        await redis.ExecuteBatchAsync(
        [
            new RedisCommand("MULTI"),
            new RedisCommand("DEL", keys.ApiKey(sha)),
            new RedisCommand("HDEL", keys.PrincipalKeys(principal), id),
            new RedisCommand("EXEC"),
        ], ct);
        return true;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Dictionary<string, ApiKeyIdentity> Configured(AuthOptions options)
    {
        var map = new Dictionary<string, ApiKeyIdentity>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            map[ApiKeyHasher.Hash(options.ApiKey)] = new ApiKeyIdentity("admin", Roles.Admin);
        }

        foreach (var key in options.Keys.Where(k => k.Key.Length > 0 && k.Principal.Length > 0))
        {
            map[ApiKeyHasher.Hash(key.Key)] = new ApiKeyIdentity(key.Principal, key.Role);
        }

        return map;
    }
}
