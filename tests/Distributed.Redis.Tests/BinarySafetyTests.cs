using System.Text;

namespace Distributed.Redis.Tests;

/// <summary>Arguments are length-prefixed bulk strings: bytes are data, never protocol.</summary>
public sealed class BinarySafetyTests : RedisTestBase
{
    [Test]
    public async Task SetAsync_AllByteValues_RoundTripExactly()
    {
        var value = Enumerable.Range(0, 256).Select(i => (byte)i).Concat(Enumerable.Range(0, 256).Select(i => (byte)(255 - i))).ToArray();

        await Redis.SetAsync(Key("bin"), value);

        Assert.That(await Redis.GetBytesAsync(Key("bin")), Is.EqualTo(value));
    }

    [Test]
    public async Task SetAsync_UnicodeText_RoundTripsAndIsStoredAsUtf8()
    {
        const string value = "Grüße, 世界! 👋🏽 مرحبا — ё";

        await Redis.SetAsync(Key("utf8"), value);

        Assert.That(await Redis.GetAsync(Key("utf8")), Is.EqualTo(value));
        Assert.That((await Redis.ExecuteAsync("STRLEN", Key("utf8"))).AsInt64(), Is.EqualTo(Encoding.UTF8.GetByteCount(value)));
    }

    [Test]
    public async Task SetAsync_UnicodeKey_RoundTrips()
    {
        var key = Key("ключ🔑");

        await Redis.SetAsync(key, "v");

        Assert.That(await Redis.GetAsync(key), Is.EqualTo("v"));
    }

    [Test]
    public async Task SetAsync_ValueContainingRespCommands_StoredVerbatimAndNothingExecuted()
    {
        var victim = Key("victim");
        var injected = Key("injected");
        await Redis.SetAsync(victim, "still here");
        var payload =
            $"x\r\n*2\r\n$3\r\nDEL\r\n${Encoding.UTF8.GetByteCount(victim)}\r\n{victim}\r\n" +
            $"*3\r\n$3\r\nSET\r\n${Encoding.UTF8.GetByteCount(injected)}\r\n{injected}\r\n$3\r\nbad\r\n";

        await Redis.SetAsync(Key("payload"), payload);

        Assert.That(await Redis.GetAsync(Key("payload")), Is.EqualTo(payload));
        Assert.That(await Redis.GetAsync(victim), Is.EqualTo("still here"));
        Assert.That(await Redis.ExistsAsync(injected), Is.False);
        Assert.That(await KeysWithPrefixAsync(), Is.EquivalentTo(new[] { victim, Key("payload") }));
    }

    [Test]
    public async Task ExecuteAsync_KeyContainingRespCommands_TreatedAsOneKey()
    {
        var victim = Key("victim");
        await Redis.SetAsync(victim, "v");
        var evilKey = Key($"k\r\n*2\r\n$3\r\nDEL\r\n${Encoding.UTF8.GetByteCount(victim)}\r\n{victim}\r\n");

        await Redis.HSetAsync(evilKey, "f\r\n+OK\r\n", "v\r\n:1\r\n");

        Assert.That(await Redis.HGetAllAsync(evilKey), Is.EqualTo(new Dictionary<string, string> { ["f\r\n+OK\r\n"] = "v\r\n:1\r\n" }));
        Assert.That(await Redis.ExistsAsync(victim), Is.True);
        Assert.That(await KeysWithPrefixAsync(), Is.EquivalentTo(new[] { victim, evilKey }));
    }

    [Test]
    public async Task SetAsync_LargeValue_RoundTripsAcrossManyReads()
    {
        var value = new byte[5 * 1024 * 1024];
        new Random(42).NextBytes(value);

        await Redis.SetAsync(Key("big"), value);

        Assert.That(await Redis.GetBytesAsync(Key("big")), Is.EqualTo(value));
    }

    private async Task<List<string>> KeysWithPrefixAsync()
    {
        var keys = new List<string>();
        await foreach (var key in Redis.ScanAsync(Prefix + "*"))
        {
            keys.Add(key);
        }

        return keys;
    }
}
