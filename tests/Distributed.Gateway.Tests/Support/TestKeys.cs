namespace Distributed.Gateway.Tests.Support;

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

    public static IReadOnlyList<(string Key, string Principal)> Principals { get; } =
    [
        (Alice, "alice"),
        (Bob, "bob"),
        (Carol, "carol"),
    ];
}
