using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Distributed.Redis.Tests;

public sealed class RedisOptionsTests
{
    [Test]
    public void FromConnectionString_AllOptions_Parsed()
    {
        var options = RedisOptions.FromConnectionString(
            "cache.local:6380,password=s3cret,user=gateway,db=4,connectTimeout=1500,commandTimeout=250,abortConnect=false");

        Assert.That(options.Host, Is.EqualTo("cache.local"));
        Assert.That(options.Port, Is.EqualTo(6380));
        Assert.That(options.Password, Is.EqualTo("s3cret"));
        Assert.That(options.User, Is.EqualTo("gateway"));
        Assert.That(options.Database, Is.EqualTo(4));
        Assert.That(options.ConnectTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(options.CommandTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
    }

    [Test]
    public void FromConnectionString_HostOnly_KeepsDefaults()
    {
        var options = RedisOptions.FromConnectionString("redis");

        Assert.That(options.Host, Is.EqualTo("redis"));
        Assert.That(options.Port, Is.EqualTo(6379));
        Assert.That(options.Database, Is.Zero);
        Assert.That(options.CommandTimeout, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void FromConnectionString_Ipv6Literal_ParsesHostAndPort()
    {
        var options = RedisOptions.FromConnectionString("[::1]:7000");

        Assert.That(options.Host, Is.EqualTo("::1"));
        Assert.That(options.Port, Is.EqualTo(7000));
    }

    [TestCase("localhost,bogus=1")]
    [TestCase("localhost:notaport")]
    [TestCase("localhost,db=x")]
    [TestCase("localhost,ssl=true")]
    public void FromConnectionString_Invalid_ThrowsFormatException(string connectionString)
    {
        Assert.That(() => RedisOptions.FromConnectionString(connectionString), Throws.InstanceOf<FormatException>());
    }

    [Test]
    public async Task AddRedis_ConfigurationSection_BindsOptionsAndRegistersSingleton()
    {
        await using var provider = BuildProvider(new Dictionary<string, string?>
        {
            ["Cache:Host"] = "10.0.0.5",
            ["Cache:Port"] = "6390",
            ["Cache:Database"] = "2",
            ["Cache:CommandTimeout"] = "00:00:00.750",
        }, "Cache");

        var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;
        Assert.That(options.Host, Is.EqualTo("10.0.0.5"));
        Assert.That(options.Port, Is.EqualTo(6390));
        Assert.That(options.Database, Is.EqualTo(2));
        Assert.That(options.CommandTimeout, Is.EqualTo(TimeSpan.FromMilliseconds(750)));
        Assert.That(provider.GetRequiredService<RedisConnection>(), Is.SameAs(provider.GetRequiredService<RedisConnection>()));
    }

    [Test]
    public async Task AddRedis_ConnectionStringInConfiguration_OverridesProperties()
    {
        await using var provider = BuildProvider(new Dictionary<string, string?>
        {
            ["Redis:Host"] = "ignored",
            ["Redis:ConnectionString"] = "redis-main:6381,db=3",
        });

        var options = provider.GetRequiredService<IOptions<RedisOptions>>().Value;
        Assert.That(options.Host, Is.EqualTo("redis-main"));
        Assert.That(options.Port, Is.EqualTo(6381));
        Assert.That(options.Database, Is.EqualTo(3));
    }

    [Test]
    public async Task AddRedis_InvalidOptions_FailsValidation()
    {
        await using var provider = BuildProvider(new Dictionary<string, string?> { ["Redis:Port"] = "70000" });

        Assert.That(
            () => provider.GetRequiredService<IOptions<RedisOptions>>().Value,
            Throws.InstanceOf<OptionsValidationException>().With.Message.Contains("Port"));
    }

    [Test]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.That(
            () => new RedisConnection(new RedisOptions { CommandTimeout = TimeSpan.Zero }),
            Throws.InstanceOf<OptionsValidationException>());
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string?> settings, string section = "Redis")
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddRedis(section);
        return services.BuildServiceProvider();
    }
}
