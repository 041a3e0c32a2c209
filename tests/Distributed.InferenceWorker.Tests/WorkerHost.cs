using Distributed.Contracts.Inference.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.InferenceWorker.Tests;

/// <summary>
/// A real worker on Kestrel (HTTP/2 cleartext, a free port) over a temp models directory holding the shared test
/// models, a models.json with aliases, and broken files; plus a gRPC channel to it.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WorkerHost(WebApplication app, string modelsDirectory, Uri address)
    {
        _app = app;
        ModelsDirectory = modelsDirectory;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Client = new Inference.InferenceClient(Channel);
    }

    /// <summary>A model whose unbounded generation runs for seconds (4096 random tokens), never hitting end-of-generation.</summary>
    public const string LongModel = "random-long";

    /// <summary>A second, separately loaded copy of <see cref="LongModel"/>.</summary>
    public const string LongModelB = "random-long-b";

    public string ModelsDirectory { get; }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public Inference.InferenceClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Configuration on top of the defaults below.</param>
    /// <param name="beforeStart">Runs on the built services before the host starts (before any preload begins).</param>
    /// <param name="logs">Receives every log entry from Information up (instead of the console's warnings).</param>
    public static async Task<WorkerHost> StartAsync(
        IDictionary<string, string?>? settings = null, Action<IServiceProvider>? beforeStart = null, ILoggerProvider? logs = null)
    {
        var models = Directory.CreateTempSubdirectory("worker-models-").FullName;
        File.Copy(TestPaths.Stories, Path.Combine(models, "stories260K.gguf"));
        File.Copy(TestPaths.TinyRandom, Path.Combine(models, "llama-2-tiny-random.gguf"));
        // The same random model with its full 4096-token context: a generation that takes seconds, for deadline and cancel tests.
        File.Copy(TestPaths.TinyRandom, Path.Combine(models, $"{LongModel}.gguf"));
        File.Copy(TestPaths.TinyRandom, Path.Combine(models, $"{LongModelB}.gguf"));
        File.WriteAllText(Path.Combine(models, "not-gguf.gguf"), "this is plain text, not a model");
        File.WriteAllBytes(Path.Combine(models, "empty.gguf"), []);
        var truncated = File.ReadAllBytes(TestPaths.Stories).AsSpan(0, 300_000).ToArray();
        File.WriteAllBytes(Path.Combine(models, "truncated.gguf"), truncated);
        File.WriteAllText(Path.Combine(models, "models.json"), """
            {
              "models": {
                "stories260K": { "aliases": ["llama2", "stories"], "contextSize": 512 },
                "llama-2-tiny-random": { "aliases": ["llama3"], "contextSize": 256, "chatTemplate": "llama2" },
                "random-long": { "contextSize": 4096 },
                "random-long-b": { "contextSize": 4096 }
              }
            }
            """);

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        var config = new Dictionary<string, string?>
        {
            ["Worker:Port"] = "0",
            ["Worker:ModelsDirectory"] = models,
            ["Worker:NativeDirectory"] = TestPaths.NativeDirectory,
            ["Worker:ParallelSequences"] = "4",
            ["Worker:MaxLoadedModels"] = "3",
            ["Worker:WorkerId"] = "test-worker",
            // No fixed metrics port: several workers run at once (a test that scrapes sets a free one).
            ["Worker:MetricsPort"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.ClearProviders();
        if (logs is null)
        {
            builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        }
        else
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Information);
        }

        builder.AddInferenceWorker();
        var app = builder.Build();
        app.MapInferenceWorker();
        beforeStart?.Invoke(app.Services);
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        return new WorkerHost(app, models, new Uri($"http://127.0.0.1:{port}"));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(ModelsDirectory, recursive: true);
    }
}
