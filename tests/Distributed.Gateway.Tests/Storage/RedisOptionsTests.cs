using System.Net;
using Distributed.Gateway.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Tests.Storage;

/// <summary>Configuration (Redis:*, the old REDIS_* names, endpoints, connection string) to the client's ConfigurationOptions.</summary>
[TestFixture]
public sealed class RedisOptionsTests
{
    [Test]
    public void Defaults_LocalhostFailFastResp2NeverAbort()
    {
        var config = Build([]);

        Assert.Multiple(() =>
        {
            Assert.That(Endpoints(config), Is.EqualTo(new[] { "localhost:6379" }));
            Assert.That(config.Password, Is.Null);
            Assert.That(config.User, Is.Null);
            Assert.That(config.DefaultDatabase, Is.Null);
            Assert.That(config.AbortOnConnectFail, Is.False);
            Assert.That(config.BacklogPolicy, Is.SameAs(BacklogPolicy.FailFast));
            Assert.That(config.Protocol, Is.EqualTo(RedisProtocol.Resp2));
            Assert.That(config.ConnectTimeout, Is.EqualTo(5000));
            Assert.That(config.SyncTimeout, Is.EqualTo(5000));
            Assert.That(config.AsyncTimeout, Is.EqualTo(5000));
            Assert.That(config.ConfigurationChannel, Is.Empty, "no pub/sub (the ACL grants no channels)");
        });
    }

    [Test]
    public void RedisSection_MapsEveryProperty()
    {
        var config = Build(new()
        {
            ["Redis:Host"] = "redis.internal",
            ["Redis:Port"] = "6380",
            ["Redis:User"] = "app",
            ["Redis:Password"] = "s3cret",
            ["Redis:Database"] = "2",
            ["Redis:CommandTimeout"] = "00:00:03",
            ["Redis:ConnectTimeout"] = "00:00:01.500",
        });

        Assert.Multiple(() =>
        {
            Assert.That(Endpoints(config), Is.EqualTo(new[] { "redis.internal:6380" }));
            Assert.That(config.User, Is.EqualTo("app"));
            Assert.That(config.Password, Is.EqualTo("s3cret"));
            Assert.That(config.DefaultDatabase, Is.EqualTo(2));
            Assert.That(config.SyncTimeout, Is.EqualTo(3000));
            Assert.That(config.AsyncTimeout, Is.EqualTo(3000));
            Assert.That(config.ConnectTimeout, Is.EqualTo(1500));
        });
    }

    [Test]
    public void OldEnvironmentNames_WinOverTheRedisSection()
    {
        var config = Build(new()
        {
            ["Redis:Host"] = "ignored",
            ["Redis:Port"] = "1",
            ["Redis:Password"] = "ignored",
            ["Redis:User"] = "app",
            ["REDIS_HOST"] = "10.0.0.5",
            ["REDIS_PORT"] = "6390",
            ["REDIS_PASSWORD"] = "from-env",
        });

        Assert.Multiple(() =>
        {
            Assert.That(Endpoints(config), Is.EqualTo(new[] { "10.0.0.5:6390" }));
            Assert.That(config.Password, Is.EqualTo("from-env"));
            Assert.That(config.User, Is.EqualTo("app"));
        });
    }

    [Test]
    public void Endpoints_ClusterSeeds_ReplaceHostAndPort()
    {
        var config = Build(new()
        {
            ["Redis:Host"] = "ignored",
            ["Redis:Endpoints:0"] = "10.0.0.1:7000",
            ["Redis:Endpoints:1"] = "10.0.0.2:7001",
            ["Redis:Endpoints:2"] = "10.0.0.3:7002",
        });

        Assert.That(Endpoints(config), Is.EqualTo(new[] { "10.0.0.1:7000", "10.0.0.2:7001", "10.0.0.3:7002" }));
    }

    [Test]
    public void ConnectionString_WinsForWhatItNames_OutagePolicyStaysFixed()
    {
        var config = Build(new()
        {
            ["Redis:ConnectionString"] = "cache.example:6400,user=svc,password=pw,abortConnect=true,syncTimeout=750,asyncTimeout=750,protocol=resp3",
            ["Redis:Password"] = "unused",
            ["Redis:ConnectTimeout"] = "00:00:02",
        });

        Assert.Multiple(() =>
        {
            Assert.That(Endpoints(config), Is.EqualTo(new[] { "cache.example:6400" }));
            Assert.That(config.User, Is.EqualTo("svc"));
            Assert.That(config.Password, Is.EqualTo("pw"));
            Assert.That(config.SyncTimeout, Is.EqualTo(750));
            Assert.That(config.ConnectTimeout, Is.EqualTo(2000), "not named in the string: from the property");
            Assert.That(config.AbortOnConnectFail, Is.False);
            Assert.That(config.BacklogPolicy, Is.SameAs(BacklogPolicy.FailFast));
            Assert.That(config.Protocol, Is.EqualTo(RedisProtocol.Resp2));
        });
    }

    [Test]
    public void ConnectionString_WithoutEndpoint_UsesHostAndPort()
    {
        var config = Build(new() { ["Redis:ConnectionString"] = "password=pw", ["REDIS_HOST"] = "db", ["REDIS_PORT"] = "6381" });

        Assert.That(Endpoints(config), Is.EqualTo(new[] { "db:6381" }));
        Assert.That(config.Password, Is.EqualTo("pw"));
    }

    [TestCase("Redis:Port", "0", "Port")]
    [TestCase("Redis:Port", "70000", "Port")]
    [TestCase("Redis:Database", "-1", "Database")]
    [TestCase("Redis:User", "app", "User requires a Password")]
    [TestCase("Redis:CommandTimeout", "00:00:00", "CommandTimeout")]
    [TestCase("Redis:ConnectTimeout", "-00:00:01", "ConnectTimeout")]
    [TestCase("Redis:Endpoints:0", "not an endpoint:x", "Endpoints")]
    [TestCase("Redis:ConnectionString", "host:6379,nonsense-option=1", "ConnectionString")]
    public void Invalid_FailsValidationWithoutTheSecret(string key, string value, string expected)
    {
        var services = Services(new() { [key] = value, ["Redis:Password"] = key == "Redis:User" ? null : "topsecret" });

        var error = Assert.Throws<OptionsValidationException>(() => _ = services.GetRequiredService<IOptions<RedisOptions>>().Value);
        Assert.That(error!.Message, Does.Contain(expected));
        Assert.That(error.Message, Does.Not.Contain("topsecret"));
    }

    private static ConfigurationOptions Build(Dictionary<string, string?> settings) =>
        Services(settings).GetRequiredService<IOptions<RedisOptions>>().Value.ToConfigurationOptions();

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddRedisStorage(config);
        return services.BuildServiceProvider();
    }

    private static string[] Endpoints(ConfigurationOptions config) =>
        config.EndPoints.Select(e => e is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : e.ToString()!).ToArray();
}
