using Distributed.Gateway.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// The gateway in-process on real Kestrel (a free loopback port), configured like production through configuration
/// only: Redis (as the ACL user with its password, one server or a cluster's masters), worker addresses, static API
/// keys and a key prefix of its own unless one is given (to restart against the same data).
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
    private bool _stopped;

    private GatewayHost(WebApplication app, Uri baseAddress, Uri grpcAddress, string keyPrefix)
    {
        _app = app;
        BaseAddress = baseAddress;
        GrpcAddress = grpcAddress;
        KeyPrefix = keyPrefix;
    }

    public Uri BaseAddress { get; }

    /// <summary>The gRPC front door (cleartext HTTP/2, <c>Kestrel:Endpoints:Grpc</c>).</summary>
    public Uri GrpcAddress { get; }

    public string KeyPrefix { get; }

    public IServiceProvider Services => _app.Services;

    public static string NewKeyPrefix() => $"gwtest:{Guid.NewGuid():N}:";

    /// <param name="workers">Worker addresses (<c>Workers:Addresses:n</c>).</param>
    /// <param name="settings">Extra or overriding configuration, e.g. <c>Gateway:MaxQueryLength</c>.</param>
    /// <param name="services">Replaces services after the gateway's own (e.g. a <see cref="TimeProvider"/>).</param>
    /// <param name="logs">Receives every log entry of every category at Trace level (instead of the console).</param>
    public static async Task<GatewayHost> StartAsync(
        IRedisTarget redis,
        IEnumerable<Uri> workers,
        string? keyPrefix = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        ILoggerProvider? logs = null)
    {
        keyPrefix ??= NewKeyPrefix();
        var grpcPort = FreePort.Next();
        var first = redis.Endpoints[0];
        var (host, port) = (first[..first.LastIndexOf(':')], first[(first.LastIndexOf(':') + 1)..]);
        var config = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Redis:Host"] = host,
            ["Redis:Port"] = port,
            ["Redis:User"] = RedisServerFixture.AppUser,
            ["Redis:Password"] = redis.AppPassword,
            // The old environment names win over Redis:* when present in the environment; pin them too.
            ["REDIS_HOST"] = host,
            ["REDIS_PORT"] = port,
            ["REDIS_PASSWORD"] = redis.AppPassword,
            ["Redis:CommandTimeout"] = "00:00:03",
            ["Redis:ConnectTimeout"] = "00:00:02",
            ["Redis:ReconnectInitialDelay"] = "00:00:00.050",
            ["Redis:ReconnectMaxDelay"] = "00:00:00.500",
            ["Gateway:KeyPrefix"] = keyPrefix,
            ["Workers:PollInterval"] = "00:00:00.200",
            ["Workers:RequestTimeout"] = "00:00:10",
            ["Auth:ApiKey"] = TestKeys.Admin,
            // A known signing secret, so tests can forge, expire and re-sign tokens (issuer and audience stay the defaults).
            ["Jwt:Secret"] = TestKeys.JwtSecret,
            // The model of one-shot POST /prompt calls.
            ["Gateway:DefaultModel"] = WorkerProcess.Stories,
            // Per-principal budgets are not what these tests are about (the 50-conversation test alone sends 250 queries).
            ["Limits:User:RequestsPerMinute"] = "0",
            ["Limits:User:TokensPerMinute"] = "0",
            ["Limits:User:ConcurrentGenerations"] = "0",
            // Every test connects from 127.0.0.1, so the per-address login throttle would count the failed logins of the
            // whole run together; the throttle tests set their own limits.
            ["Auth:LoginMaxFailuresPerAddress"] = "100000",
        };
        var index = 0;
        if (redis.Endpoints.Count > 1)
        {
            foreach (var endpoint in redis.Endpoints)
            {
                config[$"Redis:Endpoints:{index++}"] = endpoint;
            }
        }

        index = 0;
        foreach (var (key, principal) in TestKeys.Principals)
        {
            config[$"Auth:Keys:{index}:Key"] = key;
            config[$"Auth:Keys:{index}:Principal"] = principal;
            config[$"Auth:Keys:{index}:Role"] = Roles.User;
            index++;
        }

        config[$"Auth:Keys:{index}:Key"] = TestKeys.Service;
        config[$"Auth:Keys:{index}:Principal"] = "batch";
        config[$"Auth:Keys:{index}:Role"] = Roles.Service;

        index = 0;
        foreach (var worker in workers)
        {
            config[$"Workers:Addresses:{index++}"] = worker.ToString();
        }

        if (logs is not null)
        {
            config["Logging:LogLevel:Default"] = "Trace";
            config["Logging:LogLevel:Microsoft"] = "Trace";
            config["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace";
            config["Logging:LogLevel:System"] = "Trace";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(GatewayApplicationExtensions).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        if (logs is null)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        }

        builder.AddGateway();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapGateway();
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .First(a => a.Port != grpcPort);
        return new GatewayHost(app, bound, new Uri($"http://127.0.0.1:{grpcPort}"), keyPrefix);
    }

    /// <summary>A client sending <paramref name="apiKey"/> as <c>x-api-key</c> (none when null).</summary>
    public HttpClient CreateClient(string? apiKey = TestKeys.Alice)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        return client;
    }

    /// <summary>A client sending <c>Authorization: Bearer <paramref name="token"/></c> and no API key.</summary>
    public HttpClient CreateBearerClient(string token)
    {
        var client = CreateClient(apiKey: null);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (Redis reachable and a worker polled healthy).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var client = CreateClient(null);
        await Wait.UntilAsync(
            async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode,
            timeout ?? TimeSpan.FromSeconds(60),
            "the gateway's /health/ready to answer 200");
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        _handler.Dispose();
    }
}
