using Distributed.Gateway.Storage;
using Distributed.Redis;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Auth;

/// <summary>
/// Resolves <c>x-api-key</c> values. Configured keys are checked in memory (so the bootstrap key works even while
/// Redis is down); issued keys live hashed in Redis.
/// </summary>
public sealed class ApiKeyStore(RedisConnection redis, RedisKeys keys, IOptions<AuthOptions> options)
{
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
