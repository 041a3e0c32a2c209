using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Distributed.Redis;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Serializes queries per conversation across every gateway replica with a Redis lock (SET NX PX + compare-and-delete).
/// A second query waits for the first (up to <see cref="GatewayOptions.ConversationLockWait"/>), then gets 409.
/// </summary>
public sealed class ConversationLock(RedisConnection redis, RedisKeys keys, IOptions<GatewayOptions> options)
{
    private static readonly RedisScript ReleaseScript = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """);

    public async Task<IAsyncDisposable> AcquireAsync(Guid conversationId, CancellationToken ct)
    {
        var key = keys.ConversationLock(conversationId);
        var token = Guid.NewGuid().ToString("N");
        var ttl = (long)(options.Value.GenerationTimeout + TimeSpan.FromSeconds(30)).TotalMilliseconds;
        var deadline = DateTime.UtcNow + options.Value.ConversationLockWait;
        var delay = 5;
        while (true)
        {
            var reply = await redis.ExecuteAsync(new RedisCommand("SET", key, token, "NX", "PX", ttl), ct);
            if (!reply.IsNull)
            {
                return new Release(redis, key, token);
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new ApiException(StatusCodes.Status409Conflict, "Conversation busy", "Another query on this conversation is still being answered.")
                {
                    RetryAfterSeconds = 1,
                };
            }

            await Task.Delay(delay, ct);
            delay = Math.Min(delay * 2, 100);
        }
    }

    private sealed class Release(RedisConnection redis, string key, string token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await redis.EvalAsync(ReleaseScript, [key], [token], CancellationToken.None);
            }
            catch (RedisException)
            {
                // The lock expires on its own; a failed release only delays the next query on this conversation.
            }
        }
    }
}
