namespace Distributed.Gateway.Limits;

/// <summary>One role's limits; 0 means unlimited.</summary>
public sealed class RoleLimits
{
    public int RequestsPerMinute { get; set; }

    public int TokensPerMinute { get; set; }

    public int ConcurrentGenerations { get; set; }
}
