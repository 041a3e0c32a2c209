using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Distributed.Redis.Tests;

/// <summary>
/// A throwaway <c>redis-server</c> process on a free loopback port with its own temp directory, no persistence.
/// Self-contained (no dependency on the client under test or on NUnit) so other test projects can reference or
/// copy this file. <see cref="StopAsync"/> / <see cref="StartAsync()"/> restart it on the same port to exercise
/// reconnects. Set REDIS_SERVER to use a binary other than the one on PATH or /usr/bin/redis-server.
/// </summary>
public sealed class RedisServerFixture : IAsyncDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);

    private readonly string _executable;
    private readonly string _directory;
    private readonly IReadOnlyList<string> _extraArgs;
    private Process? _process;

    private RedisServerFixture(string executable, int port, string? password, IReadOnlyList<string> extraArgs)
    {
        _executable = executable;
        Port = port;
        Password = password;
        _extraArgs = extraArgs;
        _directory = Directory.CreateTempSubdirectory("redis-test-").FullName;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>The <c>requirepass</c> password, or null when the server is open.</summary>
    public string? Password { get; }

    /// <summary><c>host:port[,password=..]</c>, the format understood by RedisOptions.FromConnectionString.</summary>
    public string ConnectionString => Password is null ? $"{Host}:{Port}" : $"{Host}:{Port},password={Password}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free port and waits until it answers PING.</summary>
    public static async Task<RedisServerFixture> StartNewAsync(
        string? password = null, IReadOnlyList<string>? extraArgs = null, CancellationToken cancellationToken = default)
    {
        var fixture = new RedisServerFixture(FindExecutable(), GetFreePort(), password, extraArgs ?? []);
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

        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kills the server abruptly (like a crash): clients see their connections drop.</summary>
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
        if (Password is not null)
        {
            yield return "--requirepass";
            yield return Password;
        }

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

    /// <summary>A raw RESP PING (with AUTH first when needed), independent of any client library.</summary>
    private async Task<bool> TryPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            var request = new StringBuilder();
            if (Password is not null)
            {
                request.Append($"*2\r\n$4\r\nAUTH\r\n${Encoding.UTF8.GetByteCount(Password)}\r\n{Password}\r\n");
            }

            request.Append("*1\r\n$4\r\nPING\r\n");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken).ConfigureAwait(false);

            // Every reply to AUTH / PING is a single line, so count lines to know when all have arrived.
            var expectedReplies = Password is null ? 1 : 2;
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

    private static int GetFreePort()
    {
        // The OS picks a free port; redis-server binds it right after. A tiny race, acceptable for tests.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
