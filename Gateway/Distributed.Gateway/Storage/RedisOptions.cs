using System.Globalization;
using StackExchange.Redis;

namespace Distributed.Gateway.Storage;

/// <summary>
/// Where and how to reach Redis, section <c>Redis</c> (the old names REDIS_HOST, REDIS_PORT, REDIS_PASSWORD are
/// applied on top, see <see cref="RedisStorageExtensions.AddRedisStorage"/>). One server by Host/Port, a cluster by
/// <see cref="Endpoints"/>, or a StackExchange.Redis <see cref="ConnectionString"/>.
/// </summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 6379;

    /// <summary>Seed nodes <c>host:port</c> (a cluster's masters, any of them will do); when set, Host/Port are ignored.</summary>
    public List<string> Endpoints { get; set; } = [];

    public string? Password { get; set; }

    /// <summary>ACL user name (Redis 6+); only used together with <see cref="Password"/>.</summary>
    public string? User { get; set; }

    /// <summary>Database index (must be 0 on a cluster).</summary>
    public int Database { get; set; }

    /// <summary>How long a command may wait for its reply before failing with a RedisTimeoutException.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Budget for TCP connect plus the AUTH/HELLO handshake.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay; grows exponentially (randomized) up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Optional StackExchange.Redis configuration string (<c>host1:6379,host2:6379,user=..,password=..</c>). What it
    /// names wins; what it leaves out comes from the properties above.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// The client configuration. Outage policy is fixed, whatever the string says: never abort on a failed connect
    /// (keep reconnecting in the background), fail fast instead of queueing while disconnected, RESP2.
    /// </summary>
    public ConfigurationOptions ToConfigurationOptions()
    {
        var cs = ConnectionString ?? string.Empty;
        var config = string.IsNullOrWhiteSpace(cs) ? new ConfigurationOptions() : ConfigurationOptions.Parse(cs);
        if (config.EndPoints.Count == 0)
        {
            foreach (var endpoint in Endpoints.Count > 0 ? Endpoints : [$"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}"])
            {
                config.EndPoints.Add(endpoint);
            }
        }

        config.Password ??= string.IsNullOrEmpty(Password) ? null : Password;
        config.User ??= string.IsNullOrEmpty(User) ? null : User;
        config.DefaultDatabase ??= Database == 0 ? null : Database;
        if (!Names(cs, "connectTimeout"))
        {
            config.ConnectTimeout = Milliseconds(ConnectTimeout);
        }

        if (!Names(cs, "syncTimeout") && !Names(cs, "asyncTimeout"))
        {
            config.SyncTimeout = Milliseconds(CommandTimeout);
            config.AsyncTimeout = Milliseconds(CommandTimeout);
        }

        config.ReconnectRetryPolicy = new ExponentialRetry(Milliseconds(ReconnectInitialDelay), Milliseconds(ReconnectMaxDelay));
        config.AbortOnConnectFail = false;
        config.BacklogPolicy = BacklogPolicy.FailFast;
        // Every script's reply shape is tested under RESP2 only (README "Redis").
        config.Protocol = RedisProtocol.Resp2;
        config.ClientName ??= "distributed-gateway";
        if (!Names(cs, "configChannel"))
        {
            // No pub/sub: the production ACL grants no channels (resetchannels), and master/replica switch
            // broadcasts are of no use to the gateway.
            config.ConfigurationChannel = string.Empty;
        }

        return config;
    }

    private static bool Names(string connectionString, string option) =>
        connectionString.Split(',').Any(part => part.Trim().StartsWith(option + "=", StringComparison.OrdinalIgnoreCase));

    private static int Milliseconds(TimeSpan value) =>
        value == Timeout.InfiniteTimeSpan ? int.MaxValue : (int)Math.Min(int.MaxValue, Math.Ceiling(value.TotalMilliseconds));
}
