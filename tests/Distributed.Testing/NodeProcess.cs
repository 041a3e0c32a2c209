using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Distributed.Testing;

/// <summary>
/// A node script from tests/interop (or npm there). Each stdout line is a JSON object; lines with "event" (and "id")
/// can be awaited by tests.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _events = new();
    private readonly StringBuilder _stderr = new();

    private NodeProcess(Process process) => _process = process;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Installs the pinned node packages (npm ci) unless they are there already.</summary>
    public static async Task EnsurePackagesAsync()
    {
        if (!Directory.Exists(Path.Combine(TestPaths.Interop, "node_modules", "@grpc", "grpc-js"))
            || !Directory.Exists(Path.Combine(TestPaths.Interop, "node_modules", "protobufjs")))
        {
            await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(3));
        }
    }

    /// <summary>Starts a long-running script (the grpc-js server); it exits when its stdin closes.</summary>
    public static NodeProcess Start(string script, params string[] args)
    {
        var process = new Process { StartInfo = StartInfo("node", [script, .. args]), EnableRaisingEvents = true };
        var node = new NodeProcess(process);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (node._stderr)
            {
                node._stderr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Runs a command to its end, failing the test if it does not exit with 0 in time.</summary>
    public static async Task<string> RunAsync(string fileName, string[] args, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(fileName, args))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{fileName} {string.Join(' ', args)}' did not finish within {timeout}. stderr: {await stderr}");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"'{fileName} {string.Join(' ', args)}' exited with {process.ExitCode}. stderr: {await stderr}");
        }

        return await stdout;
    }

    public async Task<JsonElement> WaitForEventAsync(string name, string id = "")
    {
        try
        {
            return await Get(name, id).Task.WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"node never reported {name} for '{id}'. stderr: {Stderr}");
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing stdin asks the script to exit on its own.
            _process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = TestPaths.Interop,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    private void OnLine(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }

            return;
        }

        using var _ = json;
        var root = json.RootElement;
        if (root.TryGetProperty("event", out var name))
        {
            var id = root.TryGetProperty("id", out var value) ? value.GetString() ?? string.Empty : string.Empty;
            Get(name.GetString()!, id).TrySetResult(root.Clone());
        }
    }

    private TaskCompletionSource<JsonElement> Get(string name, string id) =>
        _events.GetOrAdd($"{name}/{id}", _ => new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
}
