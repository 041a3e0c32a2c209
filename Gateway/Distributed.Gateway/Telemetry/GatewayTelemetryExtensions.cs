using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Distributed.Gateway.Telemetry;

public static class GatewayTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (the gateway's meter, ASP.NET Core's <c>http.server.request.duration</c> by route and
    /// status, .NET runtime) scraped as Prometheus at <c>/metrics</c> on the HTTP port; also exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, and only then traces: ASP.NET Core's request spans, the front door's
    /// forwarding (YARP), the HTTP/2 calls to workers and <see cref="GatewayTracing"/>'s steps. Without the endpoint no tracer exists, so no activity
    /// is ever created and nothing is exported.
    /// </summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<GatewayMetrics>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("distributed-gateway"))
            .WithMetrics(metrics => metrics
                .AddMeter(GatewayMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());
        if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry
                .WithTracing(tracing => tracing
                    // Grpc.Net.Client's own call span (grpc.method, grpc.status_code) sits between ours and the HTTP/2 one.
                    .AddSource(GatewayTracing.SourceName, "Grpc.Net.Client", "Yarp.ReverseProxy")
                    .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced)
                    // The worker calls' HTTP/2 spans, which carry traceparent to the worker. Only inside a trace: a
                    // status poll on its own would start one every few seconds per worker.
                    .AddHttpClientInstrumentation(http => http.FilterHttpRequestMessage = _ => Activity.Current?.Parent is not null))
                .UseOtlpExporter();
        }

        return services;
    }

    /// <summary>Requests worth a trace: not scrapes or health probes, which would each start one.</summary>
    private static bool IsTraced(HttpContext context) =>
        !context.Request.Path.StartsWithSegments("/metrics") && !context.Request.Path.StartsWithSegments("/health");

    public static WebApplication MapGatewayTelemetry(this WebApplication app)
    {
        // Created now, so the worker gauges exist before the first scrape.
        app.Services.GetRequiredService<GatewayMetrics>();
        app.MapPrometheusScrapingEndpoint().AllowAnonymous();
        return app;
    }
}
