using System.Globalization;
using System.Runtime.CompilerServices;

namespace Distributed.Redis;

/// <summary>
/// Typed wrappers for the commands the gateway uses. Each is one <see cref="RedisConnection.ExecuteAsync(RedisCommand, CancellationToken)"/>
/// call; anything not covered here can be sent with ExecuteAsync directly.
/// </summary>
public static class RedisConnectionCommands
{
    public static async Task<TimeSpan> PingAsync(this RedisConnection redis, CancellationToken cancellationToken = default)
    {
        var started = TimeProvider.System.GetTimestamp();
        await redis.ExecuteAsync(new RedisCommand("PING"), cancellationToken).ConfigureAwait(false);
        return TimeProvider.System.GetElapsedTime(started);
    }

    // ---- strings -------------------------------------------------------------------------------------------

    public static async Task<string?> GetAsync(this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("GET", key), cancellationToken).ConfigureAwait(false)).AsString();

    public static async Task<byte[]?> GetBytesAsync(this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("GET", key), cancellationToken).ConfigureAwait(false)).AsBytes();

    /// <summary>SET with optional EX (whole seconds, rounded up) / PX and NX. False when NX found the key already set.</summary>
    public static Task<bool> SetAsync(
        this RedisConnection redis, string key, string value, TimeSpan? expiry = null, bool onlyIfNotExists = false,
        CancellationToken cancellationToken = default) =>
        SetCoreAsync(redis, key, value, expiry, onlyIfNotExists, cancellationToken);

    /// <inheritdoc cref="SetAsync(RedisConnection, string, string, TimeSpan?, bool, CancellationToken)"/>
    public static Task<bool> SetAsync(
        this RedisConnection redis, string key, byte[] value, TimeSpan? expiry = null, bool onlyIfNotExists = false,
        CancellationToken cancellationToken = default) =>
        SetCoreAsync(redis, key, value, expiry, onlyIfNotExists, cancellationToken);

    public static async Task<long> DelAsync(this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("DEL", key), cancellationToken).ConfigureAwait(false)).AsInt64();

    public static async Task<long> DelAsync(
        this RedisConnection redis, IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var args = KeysOrThrow(keys);
        return args.Length == 0
            ? 0
            : (await redis.ExecuteAsync(new RedisCommand("DEL", args), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<bool> ExistsAsync(this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("EXISTS", key), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>EXPIRE in whole seconds (rounded up, at least 1). False when the key does not exist.</summary>
    public static async Task<bool> ExpireAsync(
        this RedisConnection redis, string key, TimeSpan expiry, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("EXPIRE", key, Seconds(expiry)), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    public static async Task<long> IncrAsync(this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("INCR", key), cancellationToken).ConfigureAwait(false)).AsInt64();

    public static async Task<long> IncrByAsync(
        this RedisConnection redis, string key, long increment, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("INCRBY", key, increment), cancellationToken).ConfigureAwait(false)).AsInt64();

    // ---- hashes --------------------------------------------------------------------------------------------

    /// <summary>Returns the number of fields that were added (not updated).</summary>
    public static async Task<long> HSetAsync(
        this RedisConnection redis, string key, IReadOnlyDictionary<string, string> fields, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            return 0;
        }

        var args = new object[1 + (2 * fields.Count)];
        args[0] = key;
        var i = 1;
        foreach (var (field, value) in fields)
        {
            args[i++] = field;
            args[i++] = value;
        }

        return (await redis.ExecuteAsync(new RedisCommand("HSET", args), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<bool> HSetAsync(
        this RedisConnection redis, string key, string field, string value, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("HSET", key, field, value), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    public static async Task<string?> HGetAsync(
        this RedisConnection redis, string key, string field, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("HGET", key, field), cancellationToken).ConfigureAwait(false)).AsString();

    /// <summary>All fields of the hash; empty (not null) when the key does not exist.</summary>
    public static async Task<Dictionary<string, string>> HGetAllAsync(
        this RedisConnection redis, string key, CancellationToken cancellationToken = default)
    {
        var reply = await redis.ExecuteAsync(new RedisCommand("HGETALL", key), cancellationToken).ConfigureAwait(false);
        var items = reply.Items;
        var result = new Dictionary<string, string>(items.Count / 2, StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            result[items[i].AsString()!] = items[i + 1].AsString() ?? string.Empty;
        }

        return result;
    }

    // ---- lists ---------------------------------------------------------------------------------------------

    /// <summary>Returns the list length after the push.</summary>
    public static Task<long> RPushAsync(
        this RedisConnection redis, string key, string value, CancellationToken cancellationToken = default) =>
        redis.RPushAsync(key, [value], cancellationToken);

    /// <summary>Returns the list length after the push.</summary>
    public static async Task<long> RPushAsync(
        this RedisConnection redis, string key, IEnumerable<string> values, CancellationToken cancellationToken = default)
    {
        var args = WithKey(key, values);
        if (args.Length == 1)
        {
            return await redis.LLenAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return (await redis.ExecuteAsync(new RedisCommand("RPUSH", args), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<string[]> LRangeAsync(
        this RedisConnection redis, string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default) =>
        Strings(await redis.ExecuteAsync(new RedisCommand("LRANGE", key, start, stop), cancellationToken).ConfigureAwait(false));

    public static async Task<long> LLenAsync(this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("LLEN", key), cancellationToken).ConfigureAwait(false)).AsInt64();

    // ---- sorted sets ---------------------------------------------------------------------------------------

    /// <summary>True when the member was added, false when only its score was updated.</summary>
    public static async Task<bool> ZAddAsync(
        this RedisConnection redis, string key, string member, double score, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("ZADD", key, score, member), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>Returns the number of members added.</summary>
    public static async Task<long> ZAddAsync(
        this RedisConnection redis, string key, IEnumerable<(string Member, double Score)> members,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        var args = new List<object> { key };
        foreach (var (member, score) in members)
        {
            args.Add(score);
            args.Add(member);
        }

        return args.Count == 1
            ? 0
            : (await redis.ExecuteAsync(new RedisCommand("ZADD", [.. args]), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    /// <summary>Members by rank, lowest score first.</summary>
    public static async Task<string[]> ZRangeAsync(
        this RedisConnection redis, string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default) =>
        Strings(await redis.ExecuteAsync(new RedisCommand("ZRANGE", key, start, stop), cancellationToken).ConfigureAwait(false));

    /// <summary>Members with their scores by rank, lowest score first.</summary>
    public static async Task<(string Member, double Score)[]> ZRangeWithScoresAsync(
        this RedisConnection redis, string key, long start = 0, long stop = -1, CancellationToken cancellationToken = default)
    {
        var items = (await redis.ExecuteAsync(new RedisCommand("ZRANGE", key, start, stop, "WITHSCORES"), cancellationToken)
            .ConfigureAwait(false)).Items;
        var result = new (string, double)[items.Count / 2];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (items[2 * i].AsString()!, ParseScore(items[(2 * i) + 1].AsString()!));
        }

        return result;
    }

    public static async Task<bool> ZRemAsync(
        this RedisConnection redis, string key, string member, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("ZREM", key, member), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    // ---- sets ----------------------------------------------------------------------------------------------

    public static async Task<bool> SAddAsync(
        this RedisConnection redis, string key, string member, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("SADD", key, member), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>Returns the number of members added.</summary>
    public static async Task<long> SAddAsync(
        this RedisConnection redis, string key, IEnumerable<string> members, CancellationToken cancellationToken = default)
    {
        var args = WithKey(key, members);
        return args.Length == 1
            ? 0
            : (await redis.ExecuteAsync(new RedisCommand("SADD", args), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<bool> SRemAsync(
        this RedisConnection redis, string key, string member, CancellationToken cancellationToken = default) =>
        (await redis.ExecuteAsync(new RedisCommand("SREM", key, member), cancellationToken).ConfigureAwait(false)).AsInt64() == 1;

    /// <summary>Returns the number of members removed.</summary>
    public static async Task<long> SRemAsync(
        this RedisConnection redis, string key, IEnumerable<string> members, CancellationToken cancellationToken = default)
    {
        var args = WithKey(key, members);
        return args.Length == 1
            ? 0
            : (await redis.ExecuteAsync(new RedisCommand("SREM", args), cancellationToken).ConfigureAwait(false)).AsInt64();
    }

    public static async Task<string[]> SMembersAsync(
        this RedisConnection redis, string key, CancellationToken cancellationToken = default) =>
        Strings(await redis.ExecuteAsync(new RedisCommand("SMEMBERS", key), cancellationToken).ConfigureAwait(false));

    // ---- keyspace ------------------------------------------------------------------------------------------

    /// <summary>
    /// Iterates keys matching <paramref name="pattern"/> with SCAN, one page per round trip (never KEYS, which
    /// blocks the server). As with SCAN itself, a key may be yielded more than once if the keyspace is rehashed.
    /// </summary>
    public static async IAsyncEnumerable<string> ScanAsync(
        this RedisConnection redis, string pattern = "*", int pageSize = 250,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);

        var cursor = "0";
        do
        {
            var reply = await redis.ExecuteAsync(
                new RedisCommand("SCAN", cursor, "MATCH", pattern, "COUNT", pageSize), cancellationToken).ConfigureAwait(false);
            if (reply.Items.Count != 2)
            {
                throw new RedisException($"Unexpected SCAN reply: {reply}.");
            }

            cursor = reply.Items[0].AsString() ?? "0";
            foreach (var key in reply.Items[1].Items)
            {
                yield return key.AsString()!;
            }
        }
        while (cursor != "0");
    }

    // ---- scripting -----------------------------------------------------------------------------------------

    /// <summary>
    /// Runs the script with EVALSHA; if the server does not have it cached (NOSCRIPT) sends the full text with
    /// EVAL, which also caches it for next time.
    /// </summary>
    public static async Task<RespValue> EvalAsync(
        this RedisConnection redis, RedisScript script, IReadOnlyList<string>? keys = null, IReadOnlyList<object>? args = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(script);
        keys ??= [];
        args ??= [];

        var evalShaArgs = new object[2 + keys.Count + args.Count];
        evalShaArgs[0] = script.Sha1;
        evalShaArgs[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            evalShaArgs[2 + i] = keys[i];
        }

        for (var i = 0; i < args.Count; i++)
        {
            evalShaArgs[2 + keys.Count + i] = args[i];
        }

        try
        {
            return await redis.ExecuteAsync(new RedisCommand("EVALSHA", evalShaArgs), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Prefix == "NOSCRIPT")
        {
            var evalArgs = (object[])evalShaArgs.Clone();
            evalArgs[0] = script.Text;
            return await redis.ExecuteAsync(new RedisCommand("EVAL", evalArgs), cancellationToken).ConfigureAwait(false);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static async Task<bool> SetCoreAsync(
        RedisConnection redis, string key, object value, TimeSpan? expiry, bool onlyIfNotExists, CancellationToken cancellationToken)
    {
        var args = new List<object>(5) { key, value };
        if (expiry is { } ttl)
        {
            // Whole seconds use EX as asked; sub-second expiries need PX to keep their precision.
            if (ttl.Ticks % TimeSpan.TicksPerSecond == 0)
            {
                args.Add("EX");
                args.Add(Seconds(ttl));
            }
            else
            {
                args.Add("PX");
                args.Add(Math.Max(1, (long)Math.Ceiling(ttl.TotalMilliseconds)));
            }
        }

        if (onlyIfNotExists)
        {
            args.Add("NX");
        }

        var reply = await redis.ExecuteAsync(new RedisCommand("SET", [.. args]), cancellationToken).ConfigureAwait(false);
        return !reply.IsNull;
    }

    private static long Seconds(TimeSpan value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
        return Math.Max(1, (long)Math.Ceiling(value.TotalSeconds));
    }

    private static string[] Strings(RespValue reply)
    {
        var items = reply.Items;
        var result = new string[items.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = items[i].AsString() ?? string.Empty;
        }

        return result;
    }

    private static object[] KeysOrThrow(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return [.. keys.Select(k => (object)k)];
    }

    private static object[] WithKey(string key, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return [key, .. values.Select(v => (object)v)];
    }

    private static double ParseScore(string text) => text switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };
}
