using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Distributed.Testing;

/// <summary>
/// A throwaway <c>redis-server</c> process on a free loopback port with its own temp directory, no persistence.
/// Locked down like production (deploy/redis/entrypoint.sh): protected mode on, the <c>default</c> user behind a
/// password nobody is given, an application user with a password and the same rules as there (what the gateway
/// logs in as), and an admin user for the test's own look at the data. Self-contained (no Redis client, no NUnit).
/// <see cref="StopAsync"/> / <see cref="StartAsync()"/> restart it on the same port to exercise reconnects. Set
/// REDIS_SERVER to use a binary other than the one on PATH or /usr/bin/redis-server.
/// </summary>
public sealed class RedisServerFixture : IRedisTarget, IAsyncDisposable
{
    public const string AppUser = "gateway";

    public const string AdminUser = "admin";

    // The application user's rules in deploy/redis/entrypoint.sh (a password instead of its hash).
    private static readonly string[] AppRules =
    [
        "on", "~*", "resetchannels", "+@all", "-@dangerous",
        "-flushall", "-flushdb", "-keys", "-config", "-debug", "-shutdown", "-script|flush", "-function",
    ];

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);

    private readonly string _executable;
    private readonly string _directory;
    private readonly IReadOnlyList<string> _extraArgs;
    private Process? _process;

    private RedisServerFixture(string executable, int port, IReadOnlyList<string> extraArgs, string? appPassword, string? adminPassword)
    {
        _executable = executable;
        Port = port;
        _extraArgs = extraArgs;
        AppPassword = appPassword ?? NewPassword();
        AdminPassword = adminPassword ?? NewPassword();
        _directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>Password of <see cref="AppUser"/>, new for every server.</summary>
    public string AppPassword { get; }

    /// <summary>Password of <see cref="AdminUser"/> (every command), for the tests' own client.</summary>
    public string AdminPassword { get; }

    public IReadOnlyList<string> Endpoints => [$"{Host}:{Port}"];

    /// <summary>The temp directory (working directory, log, data).</summary>
    public string DataDirectory => _directory;

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The PID of the running server (0 when stopped).</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>
    /// Arguments for an append-only file with <paramref name="fsync"/> (<c>always</c>, <c>everysec</c> or <c>no</c>), so
    /// acknowledged writes survive a SIGKILL (everysec: all but about the last second's).
    /// </summary>
    public static IReadOnlyList<string> AppendOnly(string fsync) => ["--appendonly", "yes", "--appendfsync", fsync];

    /// <summary>Starts a server on a free port and waits until it answers PING.</summary>
    /// <param name="clusterBus">Pick a port whose cluster bus port (+10000) is free too.</param>
    /// <param name="appPassword">The application user's password (new when null; a cluster's nodes share one).</param>
    public static async Task<RedisServerFixture> StartNewAsync(
        IReadOnlyList<string>? extraArgs = null,
        bool clusterBus = false,
        string? appPassword = null,
        string? adminPassword = null,
        CancellationToken cancellationToken = default)
    {
        var port = clusterBus ? GetFreePortWithBus() : FreePort.Next();
        var fixture = new RedisServerFixture(FindExecutable(), port, extraArgs ?? [], appPassword, adminPassword);
        try
        {
            await fixture.StartAsync(cancellationToken).ConfigureAwait(false);
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>(Re)starts the server on the same port; a no-op while it is running.</summary>
    public Task StartAsync() => StartAsync(CancellationToken.None);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(_executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in BuildArguments())
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(ProcessGroup.Isolate(info)) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the server abruptly (SIGKILL by PID, like a crash): clients see their connections drop.</summary>
    public Task KillAsync() => StopAsync();

    /// <summary>Kills the server abruptly (SIGKILL by PID, like a crash): clients see their connections drop.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        using (process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it lives under the temp directory anyway.
        }
    }

    private IEnumerable<string> BuildArguments()
    {
        yield return "--port";
        yield return Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        yield return "--bind";
        yield return Host;
        yield return "--dir";
        yield return _directory;
        yield return "--save";
        yield return string.Empty;
        yield return "--appendonly";
        yield return "no";
        yield return "--daemonize";
        yield return "no";
        yield return "--logfile";
        yield return Path.Combine(_directory, "redis.log");
        yield return "--protected-mode";
        yield return "yes";
        // The default user has a password nobody is given rather than being off: with users given on the command line
        // and the default user off, script writes were lost across a restart here (Redis 7.0). The production set-up
        // (an ACL file, default user off) keeps them: deploy/redis/check-redis-conf.sh checks that on a real restart.
        yield return "--user";
        yield return "default";
        yield return "reset";
        yield return "on";
        yield return ">" + NewPassword();
        yield return "~*";
        yield return "&*";
        yield return "+@all";
        yield return "--user";
        yield return AppUser;
        yield return "reset";
        yield return ">" + AppPassword;
        foreach (var rule in AppRules)
        {
            yield return rule;
        }

        yield return "--user";
        yield return AdminUser;
        yield return "reset";
        yield return "on";
        yield return ">" + AdminPassword;
        yield return "~*";
        yield return "&*";
        yield return "+@all";

        foreach (var arg in _extraArgs)
        {
            yield return arg;
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartupTimeout);
        while (true)
        {
            if (_process is null || _process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited during startup. Log:\n{ReadLog()}");
            }

            if (await TryPingAsync(timeout.Token).ConfigureAwait(false))
            {
                return;
            }

            try
            {
                await Task.Delay(50, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartupTimeout}. Log:\n{ReadLog()}");
            }
        }
    }

    /// <summary>A raw RESP AUTH (as the admin user) and PING, independent of any client library.</summary>
    private async Task<bool> TryPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            var request = new StringBuilder();
            request.Append($"*3\r\n$4\r\nAUTH\r\n${AdminUser.Length}\r\n{AdminUser}\r\n${AdminPassword.Length}\r\n{AdminPassword}\r\n");
            request.Append("*1\r\n$4\r\nPING\r\n");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);

            // Every reply to AUTH / PING is a single line, so count lines to know when all have arrived.
            const int expectedReplies = 2;
            var received = new StringBuilder();
            var buffer = new byte[256];
            while (received.ToString().Split("\r\n").Length - 1 < expectedReplies)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }

            return received.ToString().Contains("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string ReadLog()
    {
        var path = Path.Combine(_directory, "redis.log");
        return File.Exists(path) ? File.ReadAllText(path) : "(no log)";
    }

    public static string NewPassword() => Convert.ToHexString(Guid.NewGuid().ToByteArray());

    private static int GetFreePortWithBus()
    {
        // Ephemeral ports are often above 55535, where +10000 does not exist: try the range below instead.
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20000, 40000);
            if (IsFree(port) && IsFree(port + 10000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free port pair (port, port + 10000) for a cluster node.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>redis-cli next to redis-server (the cluster fixture creates the cluster with it).</summary>
    public static string FindCli() => Path.Combine(Path.GetDirectoryName(FindExecutable())!, "redis-cli");

    private static string FindExecutable()
    {
        var fromEnv = Environment.GetEnvironmentVariable("REDIS_SERVER");
        if (!string.IsNullOrEmpty(fromEnv) && File.Exists(fromEnv))
        {
            return fromEnv;
        }

        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "redis-server"))
            .Append("/usr/bin/redis-server")
            .Append("/usr/local/bin/redis-server");
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "redis-server not found. Install it (Debian/Ubuntu: apt-get install -y redis-server) or set REDIS_SERVER.");
    }
}
