namespace Distributed.Redis.Tests;

/// <summary>Server crashes and restarts on the same port; the client fails fast meanwhile and recovers after.</summary>
public sealed class ReconnectTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(15);

    // Bounds for "fails fast": far above the expected milliseconds, far below anything that looks like a hang.
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(5);

    private RedisServerFixture _server = null!;
    private RedisConnection _redis = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => _server = await RedisServerFixture.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [SetUp]
    public async Task ConnectAsync()
    {
        await _server.StartAsync();
        _redis = new RedisConnection(new RedisOptions
        {
            Host = _server.Host,
            Port = _server.Port,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ReconnectInitialDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
        });
        await _redis.ConnectAsync();
    }

    [TearDown]
    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        await _server.StartAsync();
    }

    [Test]
    public async Task ExecuteAsync_ServerStoppedWhileCommandInFlight_FailsWithConnectionException()
    {
        var inFlight = _redis.ExecuteAsync(new RedisCommand("BLPOP", "never", 0) { Timeout = TimeSpan.FromMinutes(1) });
        await Wait.UntilAsync(() => Task.FromResult(!inFlight.IsCompleted), Generous, "BLPOP sent");

        await _server.StopAsync();

        Assert.That(async () => await inFlight.WaitAsync(Generous), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task ExecuteAsync_ServerStopped_FailsFastWithConnectionException()
    {
        await _server.StopAsync();
        await Wait.UntilAsync(() => Task.FromResult(!_redis.IsConnected), Generous, "connection drop noticed");

        for (var attempt = 0; attempt < 5; attempt++)
        {
            Assert.That(
                async () => await _redis.PingAsync().WaitAsync(NoHang),
                Throws.InstanceOf<RedisConnectionException>(),
                $"attempt {attempt}");
        }
    }

    [Test]
    public async Task ExecuteAsync_ServerRestarted_ReconnectsInBackgroundAndCommandsSucceed()
    {
        await _redis.SetAsync("before", "1");
        await _server.StopAsync();
        Assert.That(async () => await _redis.SetAsync("during", "1").WaitAsync(NoHang), Throws.InstanceOf<RedisConnectionException>());

        await _server.StartAsync();

        // No commands issued: the reconnect loop alone must bring the connection back.
        await Wait.UntilAsync(() => Task.FromResult(_redis.IsConnected), Generous, "background reconnect");
        Assert.That(await _redis.SetAsync("after", "2"), Is.True);
        Assert.That(await _redis.GetAsync("after"), Is.EqualTo("2"));
    }

    [Test]
    public async Task ExecuteAsync_RepeatedRestarts_RecoversEachTime()
    {
        for (var round = 0; round < 3; round++)
        {
            await _server.StopAsync();
            Assert.That(async () => await _redis.PingAsync().WaitAsync(NoHang), Throws.InstanceOf<RedisConnectionException>());
            await _server.StartAsync();
            await Wait.UntilAsync(async () => await _redis.IncrAsync("rounds") >= 1, Generous, $"recovered in round {round}");
        }
    }

    [Test]
    public async Task ConnectAsync_NothingListening_FailsFastWithConnectionException()
    {
        await _server.StopAsync();
        await using var redis = new RedisConnection(new RedisOptions { Host = _server.Host, Port = _server.Port });

        Assert.That(async () => await redis.ConnectAsync().WaitAsync(NoHang), Throws.InstanceOf<RedisConnectionException>());
        Assert.That(async () => await redis.ExecuteAsync("PING").WaitAsync(NoHang), Throws.InstanceOf<RedisConnectionException>());
    }

    [Test]
    public async Task ConnectAsync_UnreachableHost_FailsWithinConnectTimeout()
    {
        // Non-routable address: either the connect hangs until ConnectTimeout or the network stack refuses at once.
        await using var redis = new RedisConnection(new RedisOptions
        {
            Host = "10.255.255.1",
            Port = 6379,
            ConnectTimeout = TimeSpan.FromMilliseconds(300),
        });

        Assert.That(async () => await redis.ConnectAsync().WaitAsync(NoHang), Throws.InstanceOf<RedisConnectionException>());
    }
}
