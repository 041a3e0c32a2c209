namespace Distributed.Testing;

/// <summary>The static API keys every test gateway is configured with, and who they belong to.</summary>
public static class TestKeys
{
    /// <summary>The bootstrap key (<c>Auth:ApiKey</c>): principal <c>admin</c>.</summary>
    public const string Admin = "test-admin-key-0123456789abcdef";

    public const string Alice = "test-alice-key-0123456789abcdef";

    /// <summary>A second principal, used to probe someone else's sessions.</summary>
    public const string Bob = "test-bob-key-0123456789abcdef";

    /// <summary>A principal that never creates anything (its session list must stay empty).</summary>
    public const string Carol = "test-carol-key-0123456789abcdef";

    /// <summary>A back-end service's key (role <c>service</c>, principal <c>batch</c>): may use the gRPC front door.</summary>
    public const string Service = "test-service-key-0123456789abcdef";

    /// <summary>The <c>Jwt:Secret</c> every test gateway signs tokens with (so tests can sign their own); 64+ bytes, enough for HS512 too.</summary>
    public const string JwtSecret = "test-jwt-secret-0123456789abcdef-0123456789abcdef-0123456789abcdef";

    /// <summary>The gateway's default <c>Jwt:Issuer</c> and <c>Jwt:Audience</c>.</summary>
    public const string JwtIssuer = "distributed-gateway";

    public const string JwtAudience = "distributed-clients";

    public static IReadOnlyList<(string Key, string Principal)> Principals { get; } =
    [
        (Alice, "alice"),
        (Bob, "bob"),
        (Carol, "carol"),
    ];
}
