namespace Distributed.Grpc;

/// <summary>Header names and small checks from grpc/grpc doc/PROTOCOL-HTTP2.md.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";
    public const string UserAgent = "grpc-csharp-distributed/1.0.0";

    /// <summary>Compressed-Flag (1 byte) + Message-Length (4 bytes, big endian).</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>True for <c>application/grpc</c> with any subtype (<c>+proto</c>, <c>+json</c>, ...) or parameters.</summary>
    public static bool IsGrpcContentType(string? contentType) => GetSubtype(contentType) is not null;

    /// <summary>True for the content types whose messages are protobuf: <c>application/grpc</c> and <c>application/grpc+proto</c>.</summary>
    public static bool IsProtobufContentType(string? contentType) =>
        GetSubtype(contentType) is { } subtype
        && (subtype.Length == 0 || subtype.Equals("proto", StringComparison.OrdinalIgnoreCase));

    /// <summary>An absent encoding header means identity too.</summary>
    public static bool IsIdentity(string? encoding) =>
        string.IsNullOrEmpty(encoding) || encoding.Equals(IdentityEncoding, StringComparison.OrdinalIgnoreCase);

    /// <summary>The text after <c>application/grpc+</c> ("" when none), or null when not a gRPC content type.</summary>
    private static string? GetSubtype(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = contentType.AsSpan(ContentType.Length);
        var parameters = rest.IndexOf(';');
        if (parameters >= 0)
        {
            rest = rest[..parameters];
        }

        rest = rest.TrimEnd();
        if (rest.IsEmpty)
        {
            return string.Empty;
        }

        return rest[0] == '+' ? rest[1..].ToString() : null;
    }
}
