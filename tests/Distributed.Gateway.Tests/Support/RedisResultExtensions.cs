using StackExchange.Redis;

namespace Distributed.Gateway.Tests.Support;

public static class RedisResultExtensions
{
    /// <summary>The reply as text; null for a nil reply (a missing key or field).</summary>
    public static string? AsString(this RedisResult result) => result.IsNull ? null : result.ToString();
}
