namespace Distributed.Redis.Tests;

/// <summary>One password-less server for every test in the assembly that does not need to stop or reconfigure it.</summary>
[SetUpFixture]
public sealed class SharedRedisServer
{
    private static RedisServerFixture? _server;

    public static RedisServerFixture Server =>
        _server ?? throw new InvalidOperationException("The shared redis-server has not been started.");

    [OneTimeSetUp]
    public async Task StartAsync() => _server = await RedisServerFixture.StartNewAsync();

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }
}
