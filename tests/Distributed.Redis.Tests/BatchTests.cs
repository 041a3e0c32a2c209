namespace Distributed.Redis.Tests;

/// <summary>A batch is written contiguously, so MULTI ... EXEC inside one batch is a real transaction.</summary>
public sealed class BatchTests : RedisTestBase
{
    [Test]
    public async Task ExecuteBatchAsync_MultiExec_ReturnsQueuedAndExecResults()
    {
        var replies = await Redis.ExecuteBatchAsync(
        [
            new RedisCommand("MULTI"),
            new RedisCommand("SET", Key("a"), "1"),
            new RedisCommand("INCR", Key("a")),
            new RedisCommand("EXEC"),
        ]);

        Assert.That(replies.Select(r => r.AsString()).Take(3), Is.EqualTo(new[] { "OK", "QUEUED", "QUEUED" }));
        Assert.That(replies[3].Items.Select(i => i.AsString()), Is.EqualTo(new[] { "OK", "2" }));
    }

    [Test]
    public async Task ExecuteBatchAsync_ManyConcurrentTransactionsAndSingles_NeverInterleave()
    {
        var counter = Key("counter");
        var transactions = Enumerable.Range(0, 100).Select(_ => Task.Run(() => Redis.ExecuteBatchAsync(
        [
            new RedisCommand("MULTI"),
            new RedisCommand("INCR", counter),
            new RedisCommand("INCR", counter),
            new RedisCommand("EXEC"),
        ])));
        var singles = Enumerable.Range(0, 200).Select(i => Task.Run(() => Redis.SetAsync(Key($"single:{i}"), "x")));

        var results = await Task.WhenAll(transactions);
        await Task.WhenAll(singles);

        // An interleaved batch would show up as "MULTI calls can not be nested" errors or split increments.
        Assert.That(results.SelectMany(r => r).Where(r => r.IsError), Is.Empty);
        foreach (var result in results)
        {
            var exec = result[3].Items;
            Assert.That(exec, Has.Count.EqualTo(2));
            Assert.That(exec[1].AsInt64(), Is.EqualTo(exec[0].AsInt64() + 1), "both increments of one transaction are adjacent");
        }

        Assert.That(await Redis.GetAsync(counter), Is.EqualTo("200"));
    }

    [Test]
    public async Task ExecuteBatchAsync_CommandFails_ErrorReturnedAsValueOthersSucceed()
    {
        await Redis.SetAsync(Key("str"), "x");

        var replies = await Redis.ExecuteBatchAsync(
        [
            new RedisCommand("INCR", Key("n")),
            new RedisCommand("LPUSH", Key("str"), "x"),
            new RedisCommand("INCR", Key("n")),
        ]);

        Assert.That(replies[0].AsInt64(), Is.EqualTo(1));
        Assert.That(replies[1].IsError, Is.True);
        Assert.That(() => replies[1].ThrowIfError(), Throws.InstanceOf<RedisServerException>().With.Property("Prefix").EqualTo("WRONGTYPE"));
        Assert.That(replies[2].AsInt64(), Is.EqualTo(2));
    }

    [Test]
    public async Task ExecuteBatchAsync_Empty_ReturnsEmpty()
    {
        Assert.That(await Redis.ExecuteBatchAsync([]), Is.Empty);
    }
}
