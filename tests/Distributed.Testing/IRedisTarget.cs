namespace Distributed.Testing;

/// <summary>A Redis the gateway can be pointed at: one server or a cluster, locked down the same way.</summary>
public interface IRedisTarget
{
    /// <summary><c>host:port</c> of the server, or of every cluster master.</summary>
    IReadOnlyList<string> Endpoints { get; }

    /// <summary>Password of <see cref="RedisServerFixture.AppUser"/>, the gateway's user.</summary>
    string AppPassword { get; }

    /// <summary>Password of <see cref="RedisServerFixture.AdminUser"/>, the tests' own user.</summary>
    string AdminPassword { get; }
}
