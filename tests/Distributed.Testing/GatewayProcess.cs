using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Distributed.Testing;

/// <summary>
/// The gateway as a real process (<c>dotnet Distributed.Gateway.dll</c> from its build output), configured through
/// environment variables only, like a deployment: Redis as the ACL user, worker addresses, the static keys of
/// <see cref="TestKeys"/>, its own key prefix, fixed loopback ports (so a restart keeps its address). It runs in a process
/// group of its own (<see cref="ProcessGroup"/>), so <see cref="KillAsync"/> (SIGKILL by PID) hits it alone.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, string?> _environment;
    private readonly ChildProcess _process = new(256 * 1024);
    // No trace headers of the test process's own: a test that sends traceparent sends exactly its own.
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(5), ActivityHeadersPropagator = null };

    private GatewayProcess(int httpPort, int grpcPort, string keyPrefix, Dictionary<string, string?> environment)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        KeyPrefix = keyPrefix;
        _environment = environment;
    }

    public Uri BaseAddress { get; }

    /// <summary>The gRPC front door (cleartext HTTP/2).</summary>
    public Uri GrpcAddress { get; }

    public string KeyPrefix { get; }

    public bool IsRunning => _process.IsRunning;

    /// <summary>The PID of the running process (0 when none).</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the gateway wrote to stdout and stderr (warnings and errors by default), for failure messages.</summary>
    public string Log => _process.Log;

    /// <summary>Starts the gateway and waits until <c>/health/live</c> answers (not for Redis or a worker).</summary>
    /// <param name="settings">Configuration keys in <c>:</c> form (<c>Gateway:LeaseDuration</c>), on top of the defaults.</param>
    public static async Task<GatewayProcess> StartAsync(
        IRedisTarget redis,
        IEnumerable<Uri> workers,
        IReadOnlyDictionary<string, string?>? settings = null,
        string? keyPrefix = null)
    {
        if (!File.Exists(TestPaths.GatewayDll))
        {
            throw new InvalidOperationException($"The gateway is not built: {TestPaths.GatewayDll} is missing.");
        }

        keyPrefix ??= $"gwproc:{Guid.NewGuid():N}:";
        var httpPort = FreePort.Next();
        var grpcPort = FreePort.Next();
        var first = redis.Endpoints[0];
        var (host, port) = (first[..first.LastIndexOf(':')], first[(first.LastIndexOf(':') + 1)..]);
        var config = new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Redis:Host"] = host,
            ["Redis:Port"] = port,
            ["Redis:User"] = RedisServerFixture.AppUser,
            ["Redis:Password"] = redis.AppPassword,
            ["REDIS_HOST"] = host,
            ["REDIS_PORT"] = port,
            ["REDIS_PASSWORD"] = redis.AppPassword,
            ["Redis:CommandTimeout"] = "00:00:03",
            ["Redis:ConnectTimeout"] = "00:00:02",
            ["Redis:ReconnectInitialDelay"] = "00:00:00.050",
            ["Redis:ReconnectMaxDelay"] = "00:00:00.500",
            ["Gateway:KeyPrefix"] = keyPrefix,
            ["Gateway:DefaultModel"] = WorkerProcess.Stories,
            ["Gateway:DefaultMaxTokens"] = "8",
            ["Workers:PollInterval"] = "00:00:00.200",
            ["Workers:RequestTimeout"] = "00:00:10",
            ["Auth:ApiKey"] = TestKeys.Admin,
            ["Jwt:Secret"] = TestKeys.JwtSecret,
            ["Limits:User:RequestsPerMinute"] = "0",
            ["Limits:User:TokensPerMinute"] = "0",
            ["Limits:User:ConcurrentGenerations"] = "0",
            ["Auth:LoginMaxFailuresPerAddress"] = "100000",
        };
        var index = 0;
        foreach (var (key, principal) in TestKeys.Principals)
        {
            config[$"Auth:Keys:{index}:Key"] = key;
            config[$"Auth:Keys:{index}:Principal"] = principal;
            config[$"Auth:Keys:{index}:Role"] = "user";
            index++;
        }

        config[$"Auth:Keys:{index}:Key"] = TestKeys.Service;
        config[$"Auth:Keys:{index}:Principal"] = "batch";
        config[$"Auth:Keys:{index}:Role"] = "service";

        index = 0;
        foreach (var worker in workers)
        {
            config[$"Workers:Addresses:{index++}"] = worker.ToString();
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        var environment = config.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        var gateway = new GatewayProcess(httpPort, grpcPort, keyPrefix, environment);
        try
        {
            await gateway.StartAsync();
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>(Re)starts the process on the same ports and configuration; a no-op while it runs.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(TestPaths.DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = TestPaths.GatewayDirectory,
        };
        info.ArgumentList.Add(TestPaths.GatewayDll);
        foreach (var name in new[] { "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "API_KEY", "LLM_NAME", "REDIS_URL" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _process.Start(info, "gateway");
        await WaitUntilLiveAsync();
    }

    /// <summary>SIGKILL by PID (a crash: no shutdown, no lock released) and waits for it to exit.</summary>
    public Task KillAsync() => _process.KillAsync();

    /// <summary>A client sending <paramref name="apiKey"/> as <c>x-api-key</c> (none when null).</summary>
    public HttpClient CreateClient(string? apiKey = TestKeys.Alice, TimeSpan? timeout = null)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        return client;
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (Redis reachable and a worker polled healthy).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var client = CreateClient(null, TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(
            async () =>
            {
                EnsureRunning();
                using var response = await client.GetAsync("/health/ready");
                return response.IsSuccessStatusCode;
            },
            timeout ?? StartupTimeout,
            "the gateway's /health/ready to answer 200");
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        _handler.Dispose();
    }

    private async Task WaitUntilLiveAsync()
    {
        using var client = CreateClient(null, TimeSpan.FromSeconds(5));
        await Wait.UntilAsync(
            async () =>
            {
                EnsureRunning();
                using var response = await client.GetAsync("/health/live");
                return response.IsSuccessStatusCode;
            },
            StartupTimeout,
            "the gateway process to answer /health/live");
    }

    private void EnsureRunning()
    {
        if (!IsRunning)
        {
            throw new InvalidOperationException($"The gateway exited with code {_process.ExitCode}. Output:\n{Log}");
        }
    }

    /// <summary>Formats a value for the environment the invariant way.</summary>
    public static string Invariant(IFormattable value) => value.ToString(null, CultureInfo.InvariantCulture);
}
