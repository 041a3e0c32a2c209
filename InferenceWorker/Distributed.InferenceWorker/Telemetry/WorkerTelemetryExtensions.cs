using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Distributed.InferenceWorker.Telemetry;

public static class WorkerTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (the worker's meter, ASP.NET Core, .NET runtime) scraped as Prometheus at <c>/metrics</c>
    /// on <c>Worker:MetricsPort</c> (HTTP/1.1, apart from the cleartext-HTTP/2 gRPC port); also exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and only then traces: the gRPC server span (its parent taken from the
    /// caller's <c>traceparent</c>) and <see cref="WorkerTracing"/>'s generation and phase spans. Without the endpoint no
    /// tracer exists, so no activity is ever created.
    /// </summary>
    public static WebApplicationBuilder AddWorkerTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WorkerMetrics>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("distributed-inference-worker"))
            .WithMetrics(metrics => metrics
                .AddMeter(WorkerMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    .AddSource(WorkerTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced))
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Calls worth a trace: not the gateway's status polls, health probes or scrapes, which would each start one.</summary>
    private static bool IsTraced(HttpContext context)
    {
        var path = context.Request.Path;
        return !path.StartsWithSegments("/metrics") &&
               !path.StartsWithSegments("/grpc.health.v1.Health") &&
               !path.Equals($"/{Contracts.Inference.V1.Inference.Descriptor.FullName}/GetStatus", StringComparison.Ordinal);
    }

    public static WebApplication MapWorkerTelemetry(this WebApplication app)
    {
        // Created now, so its gauges exist before the first scrape.
        app.Services.GetRequiredService<WorkerMetrics>();
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
