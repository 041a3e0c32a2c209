using System.Net;
using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Distributed.Gateway.Tests.Support;

/// <summary>What a <see cref="FakeWorker"/> does with a Generate call.</summary>
public enum FakeGenerate
{
    /// <summary>Never answers (until the caller cancels): provokes the gateway's first-token timeout deterministically.</summary>
    Stall,

    /// <summary>Fails at once with UNAVAILABLE, before any reply: the gateway may retry on another worker.</summary>
    Unavailable,

    /// <summary>Streams <see cref="FakeWorker.PartialDelta"/>, then fails with INTERNAL: too late to retry anywhere.</summary>
    FailAfterFirstDelta,

    /// <summary>Streams <see cref="FakeWorker.Script"/>, one delta a reply, then finishes with STOP: a model that says exactly that.</summary>
    Script,

    /// <summary>Refuses at once with RESOURCE_EXHAUSTED and the worker's QUEUE_FULL detail, as a real worker whose queue is full.</summary>
    QueueFull,
}

/// <summary>
/// An in-process gRPC server speaking the worker contract (HTTP/2 cleartext on a free port) whose status and catalog
/// look healthy (stories260K loaded, lots of free capacity, so routing prefers it) but whose Generate misbehaves on
/// purpose. Only for failure paths a real worker cannot be made to hit on cue.
/// </summary>
public sealed class FakeWorker : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _generateCalls;
    private int _cancelledCalls;

    private FakeWorker(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>
    /// The text a <see cref="FakeGenerate.FailAfterFirstDelta"/> worker sends before failing: several words, so the
    /// gateway's output sanitizer (which holds back only what could still join a redactable value) passes some on at once.
    /// </summary>
    public const string PartialDelta = "Once upon a time.\n";

    public Uri Address { get; }

    public FakeGenerate Behaviour { get; set; }

    /// <summary>What a <see cref="FakeGenerate.Script"/> worker answers, delta by delta.</summary>
    public IReadOnlyList<string> Script { get; set; } = [];

    /// <summary>Pause before each scripted delta: a slow model, still answering when the test wants it to be.</summary>
    public TimeSpan ScriptDelay { get; set; }

    /// <summary>Scripted generations the caller cancelled before they were complete.</summary>
    public int CancelledCalls => Volatile.Read(ref _cancelledCalls);

    public int GenerateCalls => Volatile.Read(ref _generateCalls);

    /// <summary>The last Generate request received (what the gateway sent the model), or null.</summary>
    public GenerateRequest? LastRequest { get; private set; }

    /// <summary>The request metadata of the last Generate call (what reached the worker, after any proxy).</summary>
    public Metadata? LastHeaders { get; private set; }

    /// <summary>The deadline of the last Generate call as the worker saw it (<see cref="DateTime.MaxValue"/> for none).</summary>
    public DateTime LastDeadline { get; private set; }

    public static async Task<FakeWorker> StartAsync(FakeGenerate behaviour)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        // Nothing from appsettings.json in the test folder (copied there from the referenced projects) applies here.
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var holder = new FakeWorkerHolder();
        builder.Services.AddSingleton(holder);
        var app = builder.Build();
        app.MapGrpcService<FakeInferenceService>();
        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var fake = new FakeWorker(app, new Uri($"http://127.0.0.1:{new Uri(bound).Port}")) { Behaviour = behaviour };
        holder.Worker = fake;
        return fake;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal async Task GenerateAsync(GenerateRequest request, IServerStreamWriter<GenerateReply> stream, ServerCallContext context)
    {
        LastRequest = request;
        LastHeaders = context.RequestHeaders;
        LastDeadline = context.Deadline;
        Interlocked.Increment(ref _generateCalls);
        switch (Behaviour)
        {
            case FakeGenerate.Script:
                try
                {
                    foreach (var delta in Script)
                    {
                        if (ScriptDelay > TimeSpan.Zero)
                        {
                            await Task.Delay(ScriptDelay, context.CancellationToken);
                        }

                        await stream.WriteAsync(new GenerateReply { Delta = delta }, context.CancellationToken);
                    }
                }
                catch (Exception) when (context.CancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _cancelledCalls);
                    throw;
                }

                await stream.WriteAsync(
                    new GenerateReply { FinishReason = FinishReason.Stop, Usage = new Usage { PromptTokens = 16, CompletionTokens = Script.Count } },
                    context.CancellationToken);
                break;
            case FakeGenerate.Stall:
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
                break;
            case FakeGenerate.QueueFull:
                throw new Google.Rpc.Status
                {
                    Code = (int)StatusCode.ResourceExhausted,
                    Message = "fake worker: queue full on purpose",
                    Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new ErrorDetail { Reason = ErrorReason.QueueFull }) },
                }.ToRpcException();
            case FakeGenerate.FailAfterFirstDelta:
                await stream.WriteAsync(new GenerateReply { Delta = PartialDelta }, context.CancellationToken);
                throw new RpcException(new Grpc.Core.Status(StatusCode.Internal, "fake worker: failed mid-stream on purpose"));
            default:
                throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "fake worker: unavailable on purpose"));
        }
    }

    internal static GetStatusReply Status() => new()
    {
        WorkerId = "fake-worker",
        Capacity = 1000,
        Backend = "fake",
        MaxLoadedModels = 2,
        Loaded = { new LoadedModelStatus { Name = WorkerProcess.Stories, Capacity = 1000, ContextLength = 512 } },
    };

    internal static ListModelsReply Catalog() => new()
    {
        Models =
        {
            new ModelInfo { Name = WorkerProcess.Stories, Aliases = { "llama2" }, File = "stories260K.gguf", SizeBytes = 1, ContextLength = 512, Loaded = true },
        },
    };
}
