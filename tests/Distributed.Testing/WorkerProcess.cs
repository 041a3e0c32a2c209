using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Health.V1;

namespace Distributed.Testing;

/// <summary>
/// A real InferenceWorker process (<c>dotnet Distributed.InferenceWorker.dll</c>) on a free port, serving copies of the
/// shared test models from a temp directory with a <c>models.json</c> (aliases <c>llama2</c> and <c>llama3</c>).
/// Each process runs in a process group of its own (<see cref="ProcessGroup"/>), is killed by PID on dispose, and as a last resort when the test run exits.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    public const string Stories = "stories260K";
    public const string TinyRandom = "llama-2-tiny-random";

    /// <summary>
    /// With <c>longModel</c>: the random model with its full 4096-token context, whose unbounded generation runs for
    /// seconds without reaching end-of-generation (to kill something in the middle of an answer).
    /// </summary>
    public const string LongModel = "random-long";

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process = new(64 * 1024);
    private readonly IReadOnlyDictionary<string, string?> _settings;

    private WorkerProcess(int port, string modelsDirectory, IReadOnlyDictionary<string, string?> settings)
    {
        Port = port;
        ModelsDirectory = modelsDirectory;
        _settings = settings;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }

    public Uri Address { get; }

    public string ModelsDirectory { get; }

    public bool IsRunning => _process.IsRunning;

    /// <summary>The PID of the running (or last) process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the worker wrote to stdout and stderr (warnings and errors only), for failure messages.</summary>
    public string Log => _process.Log;

    /// <summary>Starts a worker on a free port (or <paramref name="port"/>) and waits until it reports SERVING.</summary>
    /// <param name="settings">Environment on top of the defaults (configuration keys with <c>__</c>, e.g. <c>Worker__QueueLimit</c>).</param>
    public static async Task<WorkerProcess> StartAsync(
        string workerId = "gateway-test-worker",
        IReadOnlyDictionary<string, string?>? settings = null,
        int? port = null,
        bool longModel = false)
    {
        if (!File.Exists(TestPaths.WorkerDll))
        {
            throw new InvalidOperationException($"The worker is not built: {TestPaths.WorkerDll} is missing.");
        }

        var models = Directory.CreateTempSubdirectory("gateway-test-models-").FullName;
        File.Copy(TestPaths.Stories, Path.Combine(models, "stories260K.gguf"));
        File.Copy(TestPaths.TinyRandom, Path.Combine(models, "llama-2-tiny-random.gguf"));
        var extraModel = string.Empty;
        if (longModel)
        {
            File.Copy(TestPaths.TinyRandom, Path.Combine(models, $"{LongModel}.gguf"));
            extraModel = $$""", "{{LongModel}}": { "contextSize": 4096 }""";
        }

        File.WriteAllText(Path.Combine(models, "models.json"), $$"""
            {
              "models": {
                "stories260K": { "aliases": ["llama2"], "contextSize": 512 },
                "llama-2-tiny-random": { "aliases": ["llama3"], "contextSize": 512 }{{extraModel}}
              }
            }
            """);

        var environment = new Dictionary<string, string?>
        {
            ["Worker__ParallelSequences"] = "4",
            // One decode thread: llama.cpp spin-waits, so on a small machine it must leave a core to the gateway and the tests.
            ["Worker__Threads"] = "1",
            ["Worker__WorkerId"] = workerId,
            // No fixed metrics port: several workers run at once.
            ["Worker__MetricsPort"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key] = value;
        }

        var worker = new WorkerProcess(port ?? FreePort.Next(), models, environment);
        try
        {
            await worker.StartProcessAsync();
            return worker;
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the worker again on the same port and models (after <see cref="KillAsync"/>); waits for SERVING.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        await StartProcessAsync();
    }

    /// <summary>SIGKILL by PID (like a crash) and waits for it to exit.</summary>
    public Task KillAsync() => _process.KillAsync();

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

    private async Task StartProcessAsync()
    {
        var info = new ProcessStartInfo(TestPaths.DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The content root (appsettings.json) is the working directory when started with `dotnet <dll>`.
            WorkingDirectory = TestPaths.WorkerDirectory,
        };
        info.ArgumentList.Add(TestPaths.WorkerDll);
        info.Environment["Worker__Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Worker__ModelsDirectory"] = ModelsDirectory;
        info.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        info.Environment.Remove("ASPNETCORE_URLS");
        info.Environment.Remove("ASPNETCORE_HTTP_PORTS");
        foreach (var (key, value) in _settings)
        {
            info.Environment[key] = value;
        }

        _process.Start(info, "worker");
        await WaitUntilServingAsync();
    }

    private async Task WaitUntilServingAsync()
    {
        using var channel = GrpcChannel.ForAddress(Address);
        var deadline = DateTime.UtcNow + StartupTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (!IsRunning)
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
}
