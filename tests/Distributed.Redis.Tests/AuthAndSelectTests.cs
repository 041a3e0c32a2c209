namespace Distributed.Redis.Tests;

/// <summary>AUTH (requirepass and ACL users) and SELECT, including their replay after a reconnect.</summary>
public sealed class AuthAndSelectTests
{
    private const string Password = "s3cret pass,word";
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(15);
    private RedisServerFixture _server = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => _server = await RedisServerFixture.StartNewAsync(Password);

    [OneTimeTearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [Test]
    public async Task ConnectAsync_CorrectPassword_CommandsSucceed()
    {
        await using var redis = new RedisConnection(Options(password: Password));

        await redis.ConnectAsync();

        Assert.That(await redis.SetAsync($"{Guid.NewGuid():N}", "v"), Is.True);
    }

    [Test]
    public async Task ConnectAsync_WrongPassword_ThrowsConnectionExceptionWithServerReason()
    {
        await using var redis = new RedisConnection(Options(password: "wrong"));

        var ex = Assert.ThrowsAsync<RedisConnectionException>(() => redis.ConnectAsync().WaitAsync(Generous));

        Assert.That(ex!.Message, Does.Contain("WRONGPASS"));
        Assert.That(ex.InnerException, Is.InstanceOf<RedisServerException>());
        Assert.That(redis.IsConnected, Is.False);
    }

    [Test]
    public async Task ExecuteAsync_NoPasswordConfigured_ThrowsConnectionExceptionWithNoAuth()
    {
        await using var redis = new RedisConnection(Options(password: null));

        var ex = Assert.ThrowsAsync<RedisConnectionException>(() => redis.ExecuteAsync("PING").WaitAsync(Generous));

        Assert.That(ex!.Message, Does.Contain("NOAUTH"));
    }

    [Test]
    public async Task ConnectAsync_AclUser_AuthenticatesAsThatUser()
    {
        var user = $"user{Guid.NewGuid():N}";
        await using var admin = new RedisConnection(Options(password: Password));
        await admin.ExecuteAsync("ACL", "SETUSER", user, "on", ">userpass", "~*", "+@all");
        try
        {
            await using var redis = new RedisConnection(Options(password: "userpass", user: user));

            var whoami = await redis.ExecuteAsync("ACL", "WHOAMI");

            Assert.That(whoami.AsString(), Is.EqualTo(user));
        }
        finally
        {
            await admin.ExecuteAsync("ACL", "DELUSER", user);
        }
    }

    [Test]
    public async Task ExecuteAsync_DatabaseSelected_KeysIsolatedFromOtherDatabases()
    {
        var key = $"db-test:{Guid.NewGuid():N}";
        await using var db5 = new RedisConnection(Options(password: Password, database: 5));
        await using var db0 = new RedisConnection(Options(password: Password, database: 0));

        await db5.SetAsync(key, "in five");

        Assert.That(await db5.GetAsync(key), Is.EqualTo("in five"));
        Assert.That(await db0.GetAsync(key), Is.Null);
        Assert.That((await db0.ExecuteAsync("EXISTS", key)).AsInt64(), Is.Zero);
        await db0.ExecuteAsync("SELECT", 5);
        Assert.That(await db0.GetAsync(key), Is.EqualTo("in five"));
    }

    [Test]
    public async Task Reconnect_AfterServerKillsClient_ReplaysAuthAndSelect()
    {
        var key = $"replay:{Guid.NewGuid():N}";
        await using var admin = new RedisConnection(Options(password: Password));
        await using var redis = new RedisConnection(Options(password: Password, database: 7));
        await redis.SetAsync(key, "db7");
        var firstId = (await redis.ExecuteAsync("CLIENT", "ID")).AsInt64();

        await admin.ExecuteAsync("CLIENT", "KILL", "ID", firstId);

        await Wait.UntilAsync(async () => await redis.GetAsync(key) == "db7", Generous, "reconnected in database 7");
        var secondId = (await redis.ExecuteAsync("CLIENT", "ID")).AsInt64();
        Assert.That(secondId, Is.Not.EqualTo(firstId), "a new connection was made");
    }

    private RedisOptions Options(string? password, string? user = null, int database = 0) => new()
    {
        Host = _server.Host,
        Port = _server.Port,
        Password = password,
        User = user,
        Database = database,
        ConnectTimeout = TimeSpan.FromSeconds(3),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
    };
}
