using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Distributed.InferenceWorker.Telemetry;

public static class WorkerTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (the worker's meter, ASP.NET Core, .NET runtime) scraped as Prometheus at <c>/metrics</c>
    /// on <c>Worker:MetricsPort</c> (HTTP/1.1, apart from the cleartext-HTTP/2 gRPC port); also exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
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
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    public static WebApplication MapWorkerTelemetry(this WebApplication app)
    {
        // Created now, so its gauges exist before the first scrape.
        app.Services.GetRequiredService<WorkerMetrics>();
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
