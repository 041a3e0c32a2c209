using System.Text;

namespace Distributed.Gateway.Tests.Hostile;

/// <summary>Who a hostile request authenticates as.</summary>
public enum Caller
{
    Anonymous,

    /// <summary>The static key of principal <c>alice</c> (role user).</summary>
    Alice,

    /// <summary>The bootstrap admin key.</summary>
    Admin,

    /// <summary>A registered user's bearer token.</summary>
    User,
}

/// <summary>
/// One hostile request and what it must get. <see cref="Raw"/> requests go over a plain socket exactly as written
/// (CR/LF in headers, raw bytes in the path); the others through HttpClient. <see cref="Field"/>: a 400 must name it.
/// <see cref="ServerMayReject"/>: Kestrel itself may refuse the request before the gateway sees it, with an empty
/// 4xx (no ProblemDetails is possible there: it is not valid HTTP).
/// </summary>
public sealed record HostileProbe(
    string Name,
    Caller Caller,
    string Method,
    string Path,
    byte[]? Body,
    string? ContentType,
    int[] Expected,
    string? Field = null,
    byte[]? Raw = null,
    bool ServerMayReject = false,
    IReadOnlyDictionary<string, string>? Headers = null)
{
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public override string ToString() => $"{Name} [{Method} {(Path.Length > 80 ? Path[..80] + "..." : Path)}]";
}

/// <summary>What came back for a probe.</summary>
public sealed record HostileOutcome(HostileProbe Probe, int Status, string? MediaType, string Body, IReadOnlyCollection<string> HeaderNames);
