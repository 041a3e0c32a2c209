namespace Distributed.Redis.Tests;

/// <summary>Each RESP reply kind, end to end against a real server, plus the typed convenience wrappers.</summary>
public sealed class ReplyRoundtripTests : RedisTestBase
{
    [Test]
    public async Task ExecuteAsync_Set_ReturnsSimpleStringOk()
    {
        var reply = await Redis.ExecuteAsync("SET", Key("a"), "1");

        Assert.That(reply.Type, Is.EqualTo(RespType.SimpleString));
        Assert.That(reply.AsString(), Is.EqualTo("OK"));
    }

    [Test]
    public async Task ExecuteAsync_Incr_ReturnsInteger()
    {
        await Redis.ExecuteAsync("INCRBY", Key("n"), 41L);
        var reply = await Redis.ExecuteAsync("INCR", Key("n"));

        Assert.That(reply.Type, Is.EqualTo(RespType.Integer));
        Assert.That(reply.AsInt64(), Is.EqualTo(42));
    }

    [Test]
    public async Task ExecuteAsync_Get_ReturnsBulkString()
    {
        await Redis.ExecuteAsync("SET", Key("s"), "value");

        var reply = await Redis.ExecuteAsync("GET", Key("s"));

        Assert.That(reply.Type, Is.EqualTo(RespType.BulkString));
        Assert.That(reply.AsString(), Is.EqualTo("value"));
    }

    [Test]
    public async Task ExecuteAsync_GetEmptyString_ReturnsEmptyBulkNotNull()
    {
        await Redis.ExecuteAsync("SET", Key("empty"), string.Empty);

        var reply = await Redis.ExecuteAsync("GET", Key("empty"));

        Assert.That(reply.IsNull, Is.False);
        Assert.That(reply.AsBytes(), Is.Empty);
    }

    [Test]
    public async Task ExecuteAsync_GetMissingKey_ReturnsNull()
    {
        var reply = await Redis.ExecuteAsync("GET", Key("missing"));

        Assert.That(reply.Type, Is.EqualTo(RespType.Null));
        Assert.That(reply.IsNull, Is.True);
        Assert.That(reply.AsString(), Is.Null);
    }

    [Test]
    public async Task ExecuteAsync_LRange_ReturnsArray()
    {
        await Redis.ExecuteAsync("RPUSH", Key("list"), "x", "y", "z");

        var reply = await Redis.ExecuteAsync("LRANGE", Key("list"), 0, -1);

        Assert.That(reply.Type, Is.EqualTo(RespType.Array));
        Assert.That(reply.Items.Select(i => i.AsString()), Is.EqualTo(new[] { "x", "y", "z" }));
    }

    [Test]
    public async Task ExecuteAsync_LRangeMissingKey_ReturnsEmptyArray()
    {
        var reply = await Redis.ExecuteAsync("LRANGE", Key("none"), 0, -1);

        Assert.That(reply.Type, Is.EqualTo(RespType.Array));
        Assert.That(reply.Items, Is.Empty);
    }

    [Test]
    public async Task ExecuteAsync_EvalReturningNestedTable_ReturnsNestedArray()
    {
        var reply = await Redis.ExecuteAsync("EVAL", "return {1, {'two', 3}, 'four'}", 0);

        Assert.That(reply.Items, Has.Count.EqualTo(3));
        Assert.That(reply.Items[0].AsInt64(), Is.EqualTo(1));
        Assert.That(reply.Items[1].Items[0].AsString(), Is.EqualTo("two"));
        Assert.That(reply.Items[1].Items[1].AsInt64(), Is.EqualTo(3));
        Assert.That(reply.Items[2].AsString(), Is.EqualTo("four"));
    }

    [Test]
    public async Task ExecuteAsync_DoubleArgument_RoundTrips()
    {
        await Redis.ExecuteAsync("SET", Key("d"), 0.1 + 0.2);

        var reply = await Redis.ExecuteAsync("GET", Key("d"));

        Assert.That(double.Parse(reply.AsString()!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(0.1 + 0.2));
    }

    [Test]
    public async Task Strings_SetGetExistsExpireDel_Work()
    {
        var key = Key("str");

        Assert.That(await Redis.SetAsync(key, "v1"), Is.True);
        Assert.That(await Redis.SetAsync(key, "v2", onlyIfNotExists: true), Is.False);
        Assert.That(await Redis.GetAsync(key), Is.EqualTo("v1"));
        Assert.That(await Redis.ExistsAsync(key), Is.True);
        Assert.That(await Redis.ExpireAsync(key, TimeSpan.FromMinutes(1)), Is.True);
        Assert.That((await Redis.ExecuteAsync("TTL", key)).AsInt64(), Is.InRange(1, 60));
        Assert.That(await Redis.DelAsync(key), Is.EqualTo(1));
        Assert.That(await Redis.ExistsAsync(key), Is.False);
        Assert.That(await Redis.GetAsync(key), Is.Null);
    }

    [Test]
    public async Task SetAsync_WithExpiryAndNx_SetsTtl()
    {
        var key = Key("ttl");

        Assert.That(await Redis.SetAsync(key, "v", TimeSpan.FromSeconds(30), onlyIfNotExists: true), Is.True);

        Assert.That((await Redis.ExecuteAsync("TTL", key)).AsInt64(), Is.InRange(1, 30));
    }

    [Test]
    public async Task IncrAndIncrBy_ReturnNewValues()
    {
        Assert.That(await Redis.IncrAsync(Key("c")), Is.EqualTo(1));
        Assert.That(await Redis.IncrByAsync(Key("c"), 10), Is.EqualTo(11));
    }

    [Test]
    public async Task Hash_HSetHGetHGetAll_RoundTrips()
    {
        var key = Key("hash");
        var fields = new Dictionary<string, string> { ["name"] = "gateway", ["state"] = "ready", ["empty"] = string.Empty };

        Assert.That(await Redis.HSetAsync(key, fields), Is.EqualTo(3));
        Assert.That(await Redis.HSetAsync(key, "state", "busy"), Is.False);

        Assert.That(await Redis.HGetAsync(key, "state"), Is.EqualTo("busy"));
        Assert.That(await Redis.HGetAsync(key, "nope"), Is.Null);
        Assert.That(await Redis.HGetAllAsync(key), Is.EquivalentTo(new Dictionary<string, string>
        {
            ["name"] = "gateway",
            ["state"] = "busy",
            ["empty"] = string.Empty,
        }));
        Assert.That(await Redis.HGetAllAsync(Key("nohash")), Is.Empty);
    }

    [Test]
    public async Task List_RPushLRangeLLen_RoundTrips()
    {
        var key = Key("list");

        Assert.That(await Redis.RPushAsync(key, "a"), Is.EqualTo(1));
        Assert.That(await Redis.RPushAsync(key, ["b", "c"]), Is.EqualTo(3));

        Assert.That(await Redis.LLenAsync(key), Is.EqualTo(3));
        Assert.That(await Redis.LRangeAsync(key), Is.EqualTo(new[] { "a", "b", "c" }));
        Assert.That(await Redis.LRangeAsync(key, 1, 1), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task SortedSet_ZAddZRangeZRem_OrdersByScore()
    {
        var key = Key("z");

        Assert.That(await Redis.ZAddAsync(key, "late", 30), Is.True);
        Assert.That(await Redis.ZAddAsync(key, [("early", 10), ("middle", 20.5)]), Is.EqualTo(2));

        Assert.That(await Redis.ZRangeAsync(key), Is.EqualTo(new[] { "early", "middle", "late" }));
        Assert.That(await Redis.ZRangeWithScoresAsync(key, 0, 1), Is.EqualTo(new[] { ("early", 10d), ("middle", 20.5d) }));
        Assert.That(await Redis.ZRemAsync(key, "middle"), Is.True);
        Assert.That(await Redis.ZRemAsync(key, "middle"), Is.False);
        Assert.That(await Redis.ZRangeAsync(key), Is.EqualTo(new[] { "early", "late" }));
    }

    [Test]
    public async Task Set_SAddSRemSMembers_RoundTrips()
    {
        var key = Key("set");

        Assert.That(await Redis.SAddAsync(key, "a"), Is.True);
        Assert.That(await Redis.SAddAsync(key, "a"), Is.False);
        Assert.That(await Redis.SAddAsync(key, ["b", "c"]), Is.EqualTo(2));
        Assert.That(await Redis.SRemAsync(key, "b"), Is.True);
        Assert.That(await Redis.SRemAsync(key, ["c", "zzz"]), Is.EqualTo(1));

        Assert.That(await Redis.SMembersAsync(key), Is.EquivalentTo(new[] { "a" }));
    }

    [Test]
    public async Task ScanAsync_MatchPattern_YieldsEveryMatchingKeyAcrossPages()
    {
        var expected = Enumerable.Range(0, 120).Select(i => Key($"scan:{i}")).ToList();
        await Task.WhenAll(expected.Select(k => Redis.SetAsync(k, "x")));
        await Redis.SetAsync(Key("other"), "x");

        var found = new HashSet<string>();
        await foreach (var key in Redis.ScanAsync(Prefix + "scan:*", pageSize: 10))
        {
            found.Add(key);
        }

        Assert.That(found, Is.EquivalentTo(expected));
    }

    [Test]
    public async Task DelAsync_ManyKeys_ReturnsDeletedCount()
    {
        await Redis.SetAsync(Key("d1"), "x");
        await Redis.SetAsync(Key("d2"), "x");

        Assert.That(await Redis.DelAsync([Key("d1"), Key("d2"), Key("d3")]), Is.EqualTo(2));
    }

    [Test]
    public async Task PingAsync_Connected_ReturnsRoundTrip()
    {
        var latency = await Redis.PingAsync();

        Assert.That(latency, Is.GreaterThanOrEqualTo(TimeSpan.Zero));
        Assert.That(Redis.IsConnected, Is.True);
    }
}
