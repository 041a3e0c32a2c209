namespace Distributed.Redis.Tests;

/// <summary>
/// A command with no reply in time fails with RedisTimeoutException and the connection is rebuilt.
/// BLPOP on an empty list stands in for a stalled server: it simply never answers within the timeout.
/// </summary>
public sealed class TimeoutTests : RedisTestBase
{
    private RedisConnection _fast = null!;

    [SetUp]
    public async Task CreateFastTimeoutConnectionAsync()
    {
        var options = CreateOptions(SharedRedisServer.Server);
        options.CommandTimeout = TimeSpan.FromMilliseconds(200);
        _fast = new RedisConnection(options);
        await _fast.ConnectAsync();
    }

    [TearDown]
    public async Task DisposeFastTimeoutConnectionAsync() => await _fast.DisposeAsync();

    [Test]
    public async Task ExecuteAsync_NoReplyWithinCommandTimeout_ThrowsTimeoutAndConnectionRecovers()
    {
        var firstId = (await _fast.ExecuteAsync("CLIENT", "ID")).AsInt64();

        Assert.That(
            async () => await _fast.ExecuteAsync("BLPOP", Key("empty"), 0).WaitAsync(Generous),
            Throws.InstanceOf<RedisTimeoutException>());

        await Wait.UntilAsync(async () => await _fast.GetAsync(Key("x")) is null, Generous, "commands succeed again");
        var secondId = (await _fast.ExecuteAsync("CLIENT", "ID")).AsInt64();
        Assert.That(secondId, Is.Not.EqualTo(firstId), "the timed-out connection was replaced");
        Assert.That(_fast.IsConnected, Is.True);
    }

    [Test]
    public async Task ExecuteAsync_TimeoutTearsDownConnection_OtherInFlightCommandsFailWithConnectionException()
    {
        var patient = _fast.ExecuteAsync(new RedisCommand("BLPOP", Key("other"), 0) { Timeout = TimeSpan.FromSeconds(30) });
        var impatient = _fast.ExecuteAsync("BLPOP", Key("empty"), 0);

        Assert.That(async () => await impatient.WaitAsync(Generous), Throws.InstanceOf<RedisTimeoutException>());
        var ex = Assert.ThrowsAsync<RedisConnectionException>(() => patient.WaitAsync(Generous));
        Assert.That(ex!.InnerException, Is.InstanceOf<RedisTimeoutException>());
        Assert.That(await _fast.IncrAsync(Key("after")), Is.EqualTo(1));
    }

    [Test]
    public async Task ExecuteAsync_PerCommandTimeoutOverride_AllowsLongerBlockingCommand()
    {
        var reply = await _fast.ExecuteAsync(new RedisCommand("BLPOP", Key("empty"), 1) { Timeout = TimeSpan.FromSeconds(10) });

        Assert.That(reply.IsNull, Is.True);
    }

    [Test]
    public async Task ExecuteBatchAsync_NoReplyWithinTimeout_ThrowsTimeout()
    {
        Assert.That(
            async () => await _fast.ExecuteBatchAsync([new RedisCommand("PING"), new RedisCommand("BLPOP", Key("empty"), 0)]).WaitAsync(Generous),
            Throws.InstanceOf<RedisTimeoutException>());

        await Wait.UntilAsync(async () => (await _fast.PingAsync()) >= TimeSpan.Zero, Generous, "commands succeed again");
    }
}
