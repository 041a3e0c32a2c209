namespace Distributed.Redis.Tests;

/// <summary>Gives each test its own connection to the shared server and its own key prefix, so tests never collide.</summary>
public abstract class RedisTestBase
{
    protected static readonly TimeSpan Generous = TimeSpan.FromSeconds(15);

    protected RedisConnection Redis { get; private set; } = null!;

    /// <summary>Unique per test: <c>test:{guid}:</c>.</summary>
    protected string Prefix { get; private set; } = string.Empty;

    [SetUp]
    public async Task CreateConnectionAsync()
    {
        Prefix = $"test:{Guid.NewGuid():N}:";
        Redis = new RedisConnection(CreateOptions(SharedRedisServer.Server));
        await Redis.ConnectAsync();
    }

    [TearDown]
    public async Task DisposeConnectionAsync() => await Redis.DisposeAsync();

    protected string Key(string name) => Prefix + name;

    protected static RedisOptions CreateOptions(RedisServerFixture server) =>
        RedisOptions.FromConnectionString(server.ConnectionString);
}
