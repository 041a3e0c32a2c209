using StackExchange.Redis;

namespace Distributed.Gateway.Storage;

/// <summary>What counts as "the store is unavailable" (503 + Retry-After): connection loss, fail-fast rejection while disconnected, timeouts, server errors.</summary>
public static class RedisFailure
{
    // RedisTimeoutException derives from TimeoutException, not RedisException.
    public static bool Is(Exception exception) => exception is RedisException or RedisTimeoutException;
}
