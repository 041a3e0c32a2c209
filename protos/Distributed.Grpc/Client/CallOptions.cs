namespace Distributed.Grpc;

/// <summary>Per-call settings.</summary>
/// <param name="Deadline">When the call must be over (sent as grpc-timeout); a local time is converted to UTC.</param>
/// <param name="CancellationToken">Cancels the call: the HTTP/2 stream is reset and the call fails with CANCELLED.</param>
/// <param name="Headers">Custom metadata sent as request headers (names lower-case; "-bin" values already base64).</param>
public readonly record struct CallOptions(
    DateTime? Deadline = null,
    CancellationToken CancellationToken = default,
    IReadOnlyDictionary<string, string>? Headers = null);
