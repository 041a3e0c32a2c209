using System.Globalization;

namespace Distributed.Redis;

/// <summary>Where and how to connect. Bound from configuration by <see cref="RedisServiceCollectionExtensions.AddRedis"/>.</summary>
public sealed class RedisOptions
{
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 6379;

    /// <summary>Sent with AUTH on every (re)connect when set.</summary>
    public string? Password { get; set; }

    /// <summary>ACL user name (Redis 6+); only used together with <see cref="Password"/>.</summary>
    public string? User { get; set; }

    /// <summary>Database index sent with SELECT on every (re)connect when not 0.</summary>
    public int Database { get; set; }

    /// <summary>How long a command may wait for its reply before failing with <see cref="RedisTimeoutException"/>.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Budget for TCP connect plus the AUTH/SELECT handshake.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Upper bound of the exponential reconnect backoff.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay after a failed attempt; doubled per failure up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Optional StackExchange-style string (<c>host:port,password=..,db=..</c>). When set through configuration it
    /// overrides the individual properties.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Parses <c>host[:port][,key=value...]</c>. Keys: password, user, db, connectTimeout, commandTimeout (ms).</summary>
    public static RedisOptions FromConnectionString(string connectionString)
    {
        var options = new RedisOptions();
        options.ApplyConnectionString(connectionString);
        return options;
    }

    /// <summary>Overwrites the properties named in <paramref name="connectionString"/>; leaves the others as they are.</summary>
    public void ApplyConnectionString(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        foreach (var rawPart in connectionString.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = rawPart.Trim();
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                ApplyEndpoint(part);
                continue;
            }

            var key = part[..eq].Trim();
            var value = part[(eq + 1)..].Trim();
            switch (key.ToLowerInvariant())
            {
                case "password":
                    Password = value.Length == 0 ? null : value;
                    break;
                case "user":
                case "username":
                    User = value.Length == 0 ? null : value;
                    break;
                case "db":
                case "database":
                case "defaultdatabase":
                    Database = ParseInt(key, value);
                    break;
                case "connecttimeout":
                    ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value));
                    break;
                case "commandtimeout":
                case "synctimeout":
                case "asynctimeout":
                    CommandTimeout = TimeSpan.FromMilliseconds(ParseInt(key, value));
                    break;
                case "reconnectmaxdelay":
                    ReconnectMaxDelay = TimeSpan.FromMilliseconds(ParseInt(key, value));
                    break;
                case "abortconnect":
                case "allowadmin":
                    // StackExchange.Redis switches that mean nothing here; accepted so existing strings keep working.
                    break;
                case "ssl":
                    if (bool.TryParse(value, out var ssl) && ssl)
                    {
                        throw new FormatException("TLS (ssl=true) is not supported by this Redis client.");
                    }

                    break;
                default:
                    throw new FormatException($"Unknown Redis connection string option '{key}'.");
            }
        }
    }

    private void ApplyEndpoint(string endpoint)
    {
        // "[::1]:6379" for IPv6 literals, "host:port" or just "host" otherwise.
        string host;
        string? port = null;
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"Invalid Redis endpoint '{endpoint}'.");
            }

            host = endpoint[1..close];
            if (close + 1 < endpoint.Length)
            {
                if (endpoint[close + 1] != ':')
                {
                    throw new FormatException($"Invalid Redis endpoint '{endpoint}'.");
                }

                port = endpoint[(close + 2)..];
            }
        }
        else
        {
            var colon = endpoint.LastIndexOf(':');
            host = colon < 0 ? endpoint : endpoint[..colon];
            port = colon < 0 ? null : endpoint[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new FormatException($"Invalid Redis endpoint '{endpoint}'.");
        }

        Host = host;
        if (port is not null)
        {
            Port = ParseInt("port", port);
        }
    }

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new FormatException($"Redis connection string option '{key}' must be an integer, got '{value}'.");
}
