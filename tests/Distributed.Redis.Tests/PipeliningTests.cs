namespace Distributed.Redis.Tests;

/// <summary>Many concurrent callers share one connection; every caller must get its own reply.</summary>
public sealed class PipeliningTests : RedisTestBase
{
    [Test]
    public async Task ExecuteAsync_1000ConcurrentCommandsFromManyTasks_EachGetsItsOwnReply()
    {
        const int Tasks = 50;
        const int PerTask = 20;

        var workers = Enumerable.Range(0, Tasks).Select(t => Task.Run(async () =>
        {
            var mismatches = new List<string>();
            var pending = Enumerable.Range(0, PerTask).Select(async i =>
            {
                var key = Key($"{t}:{i}");
                var value = $"value-{t}-{i}-{Guid.NewGuid():N}";
                await Redis.SetAsync(key, value);
                var read = await Redis.GetAsync(key);
                if (read != value)
                {
                    lock (mismatches)
                    {
                        mismatches.Add($"{key}: expected {value}, got {read}");
                    }
                }
            });
            await Task.WhenAll(pending);
            return mismatches;
        })).ToList();

        var results = await Task.WhenAll(workers);

        Assert.That(results.SelectMany(m => m), Is.Empty);
    }

    [Test]
    public async Task IncrAsync_1000ConcurrentCalls_ReturnEveryValueExactlyOnce()
    {
        var counter = Key("counter");

        var values = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => Task.Run(() => Redis.IncrAsync(counter))));

        Assert.That(values.Order(), Is.EqualTo(Enumerable.Range(1, 1000).Select(i => (long)i)));
        Assert.That(await Redis.GetAsync(counter), Is.EqualTo("1000"));
    }

    [Test]
    public async Task ExecuteAsync_1000ConcurrentCommands_CoalescedIntoFewerSocketWrites()
    {
        var before = Redis.SocketWrites;

        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Redis.SetAsync(Key($"c:{i}"), "v")));

        var writes = Redis.SocketWrites - before;
        Assert.That(writes, Is.InRange(1, 999), "commands queued together share a socket write");
        TestContext.Out.WriteLine($"1000 commands in {writes} socket writes");
    }

    [Test]
    public async Task ExecuteAsync_MixedReplyTypesConcurrently_MatchedInOrder()
    {
        await Redis.SetAsync(Key("s"), "str");
        await Redis.RPushAsync(Key("l"), ["a", "b"]);

        var tasks = Enumerable.Range(0, 300).Select(i => (i % 3) switch
        {
            0 => Redis.ExecuteAsync("GET", Key("s")).ContinueWith(t => t.Result.AsString() == "str", TaskScheduler.Default),
            1 => Redis.ExecuteAsync("LLEN", Key("l")).ContinueWith(t => t.Result.AsInt64() == 2, TaskScheduler.Default),
            _ => Redis.ExecuteAsync("LRANGE", Key("l"), 0, -1).ContinueWith(t => t.Result.Items.Count == 2, TaskScheduler.Default),
        });

        var ok = await Task.WhenAll(tasks);

        Assert.That(ok, Has.All.True);
    }
}
