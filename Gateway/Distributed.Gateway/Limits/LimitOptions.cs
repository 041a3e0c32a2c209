namespace Distributed.Gateway.Limits;

/// <summary>Section <c>Limits</c>: per-principal budgets by role (OWASP LLM10, unbounded consumption).</summary>
public sealed class LimitOptions
{
    public const string SectionName = "Limits";

    public RoleLimits User { get; set; } = new() { RequestsPerMinute = 120, TokensPerMinute = 20_000, ConcurrentGenerations = 4 };

    public RoleLimits Admin { get; set; } = new() { RequestsPerMinute = 0, TokensPerMinute = 0, ConcurrentGenerations = 0 };

    /// <summary>Back-end services (role <c>service</c>): unlimited unless configured, like admins.</summary>
    public RoleLimits Service { get; set; } = new() { RequestsPerMinute = 0, TokensPerMinute = 0, ConcurrentGenerations = 0 };

    public RoleLimits For(string role) => role switch
    {
        Auth.Roles.Admin => Admin,
        Auth.Roles.Service => Service,
        _ => User,
    };
}
