using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Models;
using Distributed.InferenceWorker.Native;
using Distributed.InferenceWorker.Services;
using Distributed.InferenceWorker.Telemetry;
using Distributed.Contracts.Inference.V1;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Distributed.InferenceWorker;

public static class WorkerApplicationExtensions
{
    /// <summary>Options, llama.cpp, the model catalog and manager, and a Kestrel HTTP/2 cleartext endpoint for gRPC.</summary>
    public static WebApplicationBuilder AddInferenceWorker(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var port = builder.Configuration.GetValue<int?>($"{WorkerOptions.SectionName}:{nameof(WorkerOptions.Port)}") ?? 4000;
        var metricsPort = builder.Configuration.GetValue<int?>($"{WorkerOptions.SectionName}:{nameof(WorkerOptions.MetricsPort)}") ?? 9464;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenAnyIP(port, listen => listen.Protocols = HttpProtocols.Http2);
            if (metricsPort > 0)
            {
                // Prometheus scrapes over HTTP/1.1, which the cleartext gRPC port (HTTP/2 only) cannot serve.
                kestrel.ListenAnyIP(metricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            }

            // Many concurrent streams per gateway connection.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
        });

        // Grpc.AspNetCore logs every call that ends with a non-OK status at Information ("Error status code ... raised."):
        // one line per refused call under overload. Refusals are counted and logged rate-limited (RejectionCounter);
        // errors thrown by a method are still logged (at Error). Configuration naming this category wins.
        const string grpcCallHandler = "Grpc.AspNetCore.Server.ServerCallHandler";
        if (builder.Configuration[$"Logging:LogLevel:{grpcCallHandler}"] is null)
        {
            builder.Logging.AddFilter(grpcCallHandler, LogLevel.Warning);
        }

        builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<WorkerExceptionInterceptor>());
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health =>
            {
                // "" is the whole server; the service name lets probes ask for the contract explicitly.
                health.Services.Map(string.Empty, _ => true);
                health.Services.Map(Inference.Descriptor.FullName, _ => true);
            })
            .AddCheck<WorkerReadinessHealthCheck>(WorkerReadinessHealthCheck.Name);
        builder.Services.AddSingleton<WorkerReadiness>();
        builder.Services.AddSingleton<RejectionCounter>();
        builder.Services.AddSingleton<ModelCatalog>();
        builder.Services.AddSingleton<ModelManager>();
        builder.Services.AddSingleton(sp => new HostKvCache(HostCacheBudget.Resolve(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<WorkerOptions>>().Value.HostCacheBytes,
            GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)));
        builder.Services.AddHostedService<LlamaStartup>();
        builder.AddWorkerTelemetry();
        return builder;
    }

    public static WebApplication MapInferenceWorker(this WebApplication app)
    {
        app.MapGrpcService<InferenceService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapWorkerTelemetry();
        return app;
    }
}
