using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Distributed.Gateway.Telemetry;

public static class GatewayTelemetryExtensions
{
    /// <summary>
    /// OpenTelemetry metrics (the gateway's meter, ASP.NET Core's <c>http.server.request.duration</c> by route and
    /// status, .NET runtime) scraped as Prometheus at <c>/metrics</c> on the HTTP port; also exported over OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
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
            telemetry.UseOtlpExporter();
        }

        return services;
    }

    public static WebApplication MapGatewayTelemetry(this WebApplication app)
    {
        // Created now, so the worker gauges exist before the first scrape.
        app.Services.GetRequiredService<GatewayMetrics>();
        app.MapPrometheusScrapingEndpoint().AllowAnonymous();
        return app;
    }
}
