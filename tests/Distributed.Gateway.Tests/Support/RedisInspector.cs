using System.Globalization;
using StackExchange.Redis;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// A client of its own (the admin user) on the test Redis, to look at (and tamper with) the gateway's keys directly.
/// On a cluster, key listings cover every master.
/// </summary>
public sealed class RedisInspector : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _redis;

    public RedisInspector(IRedisTarget target)
    {
        var config = new ConfigurationOptions
        {
            User = RedisServerFixture.AdminUser,
            Password = target.AdminPassword,
            AllowAdmin = true,
            AbortOnConnectFail = false,
            Protocol = RedisProtocol.Resp2,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            AsyncTimeout = 5000,
        };
        foreach (var endpoint in target.Endpoints)
        {
            config.EndPoints.Add(endpoint);
        }

        _redis = ConnectionMultiplexer.Connect(config);
    }

    private IDatabase Db => _redis.GetDatabase();

    public async Task<IReadOnlyList<string>> KeysAsync(string pattern) =>
        (await KeysByNodeAsync(pattern)).Values.SelectMany(keys => keys).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The keys matching <paramref name="pattern"/> on each master (<c>host:port</c>), by SCAN.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> KeysByNodeAsync(string pattern)
    {
        var byNode = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var server in _redis.GetServers().Where(s => !s.IsReplica))
        {
            var keys = new List<string>();
            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000))
            {
                keys.Add(key.ToString());
            }

            byNode[server.EndPoint.ToString()!] = keys;
        }

        return byNode;
    }

    /// <summary>Every key under <paramref name="prefix"/> that mentions <paramref name="id"/>.</summary>
    public Task<IReadOnlyList<string>> KeysMentioningAsync(string prefix, Guid id) => KeysAsync($"{prefix}*{id:D}*");

    /// <summary>A raw command; the first argument is the key (so a cluster routes it to its node).</summary>
    public Task<RedisResult> ExecuteAsync(string command, params object[] args) =>
        Db.ExecuteAsync(command, args.Select((arg, i) => i == 0 && arg is string key ? (object)new RedisKey(key) : arg).ToArray());

    /// <summary>
    /// Every key matching <paramref name="pattern"/> (all keys by default) with its type and whole value, in key order:
    /// <c>string:</c> the value, <c>hash:</c> the sorted field/value pairs, <c>list:</c> the items in order, <c>set:</c>
    /// the sorted members, <c>zset:</c> members with scores in order; items joined by U+001F, a field and its value (a
    /// member and its score) by U+001E, so values stay searchable as they are. Two equal dumps mean equal data; TTLs
    /// are not compared. A key that expires while it is read is left out.
    /// </summary>
    public async Task<SortedDictionary<string, string>> DumpAsync(string pattern = "*")
    {
        var dump = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in await KeysAsync(pattern))
        {
            var type = await Db.KeyTypeAsync(key);
            string[]? items = type switch
            {
                RedisType.String => [(await Db.StringGetAsync(key)).ToString()],
                RedisType.Hash => (await Db.HashGetAllAsync(key)).Select(e => e.Name + "\u001E" + e.Value).Order(StringComparer.Ordinal).ToArray(),
                RedisType.List => (await Db.ListRangeAsync(key)).Select(v => v.ToString()).ToArray(),
                RedisType.Set => (await Db.SetMembersAsync(key)).Select(v => v.ToString()).Order(StringComparer.Ordinal).ToArray(),
                RedisType.SortedSet => (await Db.SortedSetRangeByRankWithScoresAsync(key))
                    .Select(e => e.Element + "\u001E" + e.Score.ToString("R", CultureInfo.InvariantCulture)).ToArray(),
                RedisType.None => null,
                _ => [$"<{type}>"],
            };
            if (items is not null)
            {
                dump[key] = type.ToString().ToLowerInvariant() switch { "sortedset" => "zset", var name => name } + ":" + string.Join('\u001F', items);
            }
        }

        return dump;
    }

    /// <summary>Every key and value (see <see cref="DumpAsync"/>) as one text, to search for values that must not be stored.</summary>
    public async Task<string> DumpTextAsync(string pattern = "*") =>
        string.Join("\n", (await DumpAsync(pattern)).Select(pair => pair.Key + " => " + pair.Value));

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
