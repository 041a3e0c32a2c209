using Distributed.Redis;

namespace Distributed.Gateway.Tests.Support;

/// <summary>A client of its own on the test Redis, to look at (and tamper with) the gateway's keys directly.</summary>
public sealed class RedisInspector(RedisServerFixture server) : IAsyncDisposable
{
    private readonly RedisConnection _redis = new(new RedisOptions { Host = server.Host, Port = server.Port });

    public async Task<IReadOnlyList<string>> KeysAsync(string pattern)
    {
        var reply = await _redis.ExecuteAsync("KEYS", pattern);
        return reply.Items.Select(item => item.AsString()!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every key under <paramref name="prefix"/> that mentions <paramref name="id"/>.</summary>
    public Task<IReadOnlyList<string>> KeysMentioningAsync(string prefix, Guid id) => KeysAsync($"{prefix}*{id:D}*");

    public Task<RespValue> ExecuteAsync(string command, params object[] args) => _redis.ExecuteAsync(command, args);

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
            var type = (await _redis.ExecuteAsync("TYPE", key)).AsString();
            string[]? items = type switch
            {
                "string" => [(await _redis.ExecuteAsync("GET", key)).AsString() ?? string.Empty],
                "hash" => Pairs((await _redis.ExecuteAsync("HGETALL", key)).Items).OrderBy(p => p, StringComparer.Ordinal).ToArray(),
                "list" => Strings((await _redis.ExecuteAsync("LRANGE", key, 0, -1)).Items),
                "set" => Strings((await _redis.ExecuteAsync("SMEMBERS", key)).Items).Order(StringComparer.Ordinal).ToArray(),
                "zset" => Pairs((await _redis.ExecuteAsync("ZRANGE", key, 0, -1, "WITHSCORES")).Items).ToArray(),
                "none" => null,
                _ => [$"<{type}>"],
            };
            if (items is not null)
            {
                dump[key] = type + ":" + string.Join('\u001F', items);
            }
        }

        return dump;

        static string[] Strings(IReadOnlyList<RespValue> values) => values.Select(v => v.AsString() ?? string.Empty).ToArray();

        static IEnumerable<string> Pairs(IReadOnlyList<RespValue> values)
        {
            for (var i = 0; i + 1 < values.Count; i += 2)
            {
                yield return values[i].AsString() + "\u001E" + values[i + 1].AsString();
            }
        }
    }

    /// <summary>Every key and value (see <see cref="DumpAsync"/>) as one text, to search for values that must not be stored.</summary>
    public async Task<string> DumpTextAsync(string pattern = "*") =>
        string.Join("\n", (await DumpAsync(pattern)).Select(pair => pair.Key + " => " + pair.Value));

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
