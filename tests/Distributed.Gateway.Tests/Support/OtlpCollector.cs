using System.Collections.Concurrent;
using Distributed.Gateway.Tests.Support.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// A minimal OTLP/HTTP (protobuf) receiver on a real Kestrel port: what the gateway and worker processes export when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> points here. Traces are parsed and kept; metrics and logs are accepted and dropped.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();

    private OtlpCollector(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>What a process needs to export here quickly (configuration keys, as environment variables).</summary>
    public IReadOnlyDictionary<string, string?> ExporterSettings => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "60000",
    };

    public static async Task<OtlpCollector> StartAsync()
    {
        var port = FreePort.Next();
        // A content root of its own: the test directory's appsettings.json (the gateway's) would add its endpoints.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Directory.CreateTempSubdirectory("otlp-collector-").FullName });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        var collector = new OtlpCollector(app, new Uri($"http://127.0.0.1:{port}"));
        app.MapPost("/v1/traces", collector.ReceiveTracesAsync);
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return collector;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> ReceiveTracesAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var export = ExportTraceServiceRequest.Parser.ParseFrom(body.ToArray());
        foreach (var resource in export.ResourceSpans)
        {
            var service = Attributes(resource.Resource?.Attributes).GetValueOrDefault("service.name", "");
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    _spans.Enqueue(new ReceivedSpan(
                        service,
                        scope.Scope?.Name ?? "",
                        Convert.ToHexStringLower(span.TraceId.Span),
                        Convert.ToHexStringLower(span.SpanId.Span),
                        Convert.ToHexStringLower(span.ParentSpanId.Span),
                        span.Name,
                        span.StartTimeUnixNano,
                        span.EndTimeUnixNano,
                        Attributes(span.Attributes)));
                }
            }
        }

        // An empty ExportTraceServiceResponse: everything accepted.
        return Results.Bytes([], "application/x-protobuf");
    }

    private static Dictionary<string, string> Attributes(IEnumerable<KeyValue>? attributes) =>
        (attributes ?? []).ToDictionary(
            a => a.Key,
            a => a.Value?.ValueCase switch
            {
                AnyValue.ValueOneofCase.StringValue => a.Value.StringValue,
                AnyValue.ValueOneofCase.IntValue => a.Value.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                AnyValue.ValueOneofCase.BoolValue => a.Value.BoolValue ? "true" : "false",
                AnyValue.ValueOneofCase.DoubleValue => a.Value.DoubleValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            });
}
