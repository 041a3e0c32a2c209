namespace Distributed.Gateway.Tests.Support;

/// <summary>A span as an OTLP collector received it: ids in lower-case hex, the exporting service, string/int attributes.</summary>
public sealed record ReceivedSpan(
    string Service,
    string Scope,
    string TraceId,
    string SpanId,
    string ParentSpanId,
    string Name,
    ulong StartNanos,
    ulong EndNanos,
    IReadOnlyDictionary<string, string> Attributes);
