using Distributed.Redis;

namespace Distributed.Gateway.Tests.Support;

/// <summary>A client of its own on the test Redis, to look at (and tamper with) the gateway's keys directly.</summary>
public sealed class RedisInspector(RedisServerFixture server) : IAsyncDisposable
{
    private readonly RedisConnection _redis = new(new RedisOptions { Host = server.Host, Port = server.Port });

    public async Task<IReadOnlyList<string>> KeysAsync(string pattern)
    {
        var reply = await _redis.ExecuteAsync("KEYS", pattern);
        return reply.Items.Select(item => item.AsString()!).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>Every key under <paramref name="prefix"/> that mentions <paramref name="id"/>.</summary>
    public Task<IReadOnlyList<string>> KeysMentioningAsync(string prefix, Guid id) => KeysAsync($"{prefix}*{id:D}*");

    public Task<RespValue> ExecuteAsync(string command, params object[] args) => _redis.ExecuteAsync(command, args);

    public ValueTask DisposeAsync() => _redis.DisposeAsync();
}
