namespace Distributed.Redis.Tests;

public sealed class ErrorHandlingTests : RedisTestBase
{
    [Test]
    public async Task ExecuteAsync_WrongType_ThrowsRedisServerExceptionWithPrefix()
    {
        await Redis.SetAsync(Key("str"), "x");

        var ex = Assert.ThrowsAsync<RedisServerException>(() => Redis.ExecuteAsync("LPUSH", Key("str"), "y"));

        Assert.That(ex!.Prefix, Is.EqualTo("WRONGTYPE"));
        Assert.That(ex.Message, Does.StartWith("WRONGTYPE"));
    }

    [Test]
    public void ExecuteAsync_UnknownCommand_ThrowsRedisServerExceptionWithErrPrefix()
    {
        var ex = Assert.ThrowsAsync<RedisServerException>(() => Redis.ExecuteAsync("NOSUCHCOMMAND", "a"));

        Assert.That(ex!.Prefix, Is.EqualTo("ERR"));
        Assert.That(ex, Is.InstanceOf<RedisException>());
    }

    [Test]
    public async Task ExecuteAsync_AfterServerError_ConnectionStillUsable()
    {
        Assert.ThrowsAsync<RedisServerException>(() => Redis.ExecuteAsync("INCR", Key("x"), "extra"));

        Assert.That(await Redis.IncrAsync(Key("x")), Is.EqualTo(1));
        Assert.That(Redis.IsConnected, Is.True);
    }

    [Test]
    public void ExecuteAsync_AlreadyCancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(
            async () => await Redis.ExecuteAsync(new RedisCommand("PING"), cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task ExecuteAsync_CancelledWhileWaiting_ThrowsAndConnectionStaysInSync()
    {
        using var cts = new CancellationTokenSource();
        var blocked = Redis.ExecuteAsync(new RedisCommand("BLPOP", Key("never"), 1) { Timeout = TimeSpan.FromSeconds(10) }, cts.Token);

        await cts.CancelAsync();

        Assert.That(async () => await blocked, Throws.InstanceOf<OperationCanceledException>());
        // The BLPOP reply (null after 1 s) still arrives and is dropped; the next caller gets its own reply.
        await Redis.SetAsync(Key("k"), "v");
        Assert.That(await Redis.GetAsync(Key("k")), Is.EqualTo("v"));
    }

    [Test]
    public async Task ExecuteAsync_AfterDispose_ThrowsObjectDisposed()
    {
        await Redis.DisposeAsync();

        Assert.That(async () => await Redis.ExecuteAsync("PING"), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(Redis.IsConnected, Is.False);
    }

    [Test]
    public async Task DisposeAsync_CommandInFlight_FailsWithConnectionException()
    {
        var blocked = Redis.ExecuteAsync(new RedisCommand("BLPOP", Key("never"), 5) { Timeout = TimeSpan.FromSeconds(10) });

        await Redis.DisposeAsync();

        Assert.That(async () => await blocked.WaitAsync(Generous), Throws.InstanceOf<RedisConnectionException>());
    }
}
