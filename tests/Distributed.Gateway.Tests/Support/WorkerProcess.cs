using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// A real InferenceWorker process (<c>dotnet Distributed.InferenceWorker.dll</c>) on a free port, serving copies of the
/// shared test models from a temp directory with a <c>models.json</c> (aliases <c>llama2</c> and <c>llama3</c>).
/// Every process started here is killed on dispose, and as a last resort when the test run exits.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    public const string Stories = "stories260K";
    public const string TinyRandom = "llama-2-tiny-random";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private const int MaxLogLength = 64 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    static WorkerProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    };

    private WorkerProcess(Process process, int port, string modelsDirectory)
    {
        _process = process;
        Port = port;
        ModelsDirectory = modelsDirectory;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri Address { get; }

    public string ModelsDirectory { get; }

    public bool IsRunning => !_process.HasExited;

    /// <summary>What the worker wrote to stdout and stderr (warnings and errors only), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<WorkerProcess> StartAsync()
    {
        if (!File.Exists(TestPaths.WorkerDll))
        {
            throw new InvalidOperationException($"The worker is not built: {TestPaths.WorkerDll} is missing.");
        }

        var models = Directory.CreateTempSubdirectory("gateway-test-models-").FullName;
        File.Copy(TestPaths.Stories, Path.Combine(models, "stories260K.gguf"));
        File.Copy(TestPaths.TinyRandom, Path.Combine(models, "llama-2-tiny-random.gguf"));
        File.WriteAllText(Path.Combine(models, "models.json"), """
            {
              "models": {
                "stories260K": { "aliases": ["llama2"], "contextSize": 512 },
                "llama-2-tiny-random": { "aliases": ["llama3"], "contextSize": 512 }
              }
            }
            """);

        var port = FreePort.Next();
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The content root (appsettings.json) is the working directory when started with `dotnet <dll>`.
            WorkingDirectory = TestPaths.WorkerDirectory,
        };
        info.ArgumentList.Add(TestPaths.WorkerDll);
        info.Environment["Worker__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Worker__ModelsDirectory"] = models;
        info.Environment["Worker__ParallelSequences"] = "4";
        // One decode thread: llama.cpp spin-waits, so on a small machine it must leave a core to the gateway and the tests.
        info.Environment["Worker__Threads"] = "1";
        info.Environment["Worker__WorkerId"] = "gateway-test-worker";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("ASPNETCORE_HTTP_PORTS");

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the worker process.");
        Running[process.Id] = process;
        var worker = new WorkerProcess(process, port, models);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await worker.WaitUntilServingAsync();
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the process abruptly (like a crash) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited meanwhile.
            }
        }

        await _process.WaitForExitAsync();
        Running.TryRemove(_process.Id, out _);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(ModelsDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it lives under the temp directory.
        }
    }

    private async Task WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var deadline = DateTime.UtcNow + StartupTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The worker exited during startup with code {_process.ExitCode}. Output:\n{Log}");
            }

            try
            {
                var reply = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                if (reply.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                {
                    return;
                }

                last = reply.Status.ToString();
            }
            catch (RpcException ex)
            {
                last = $"{ex.StatusCode}: {ex.Status.Detail}";
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The worker on port {Port} did not report SERVING within {StartupTimeout} (last: {last}). Output:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < MaxLogLength)
            {
                _log.AppendLine(line);
            }
        }
    }

    /// <summary>The dotnet host running these tests (DOTNET_HOST_PATH under `dotnet test`), else the one on PATH.</summary>
    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
