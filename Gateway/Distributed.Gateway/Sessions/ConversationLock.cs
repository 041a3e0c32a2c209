using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Serializes queries per conversation across every gateway replica with a Redis lock (LockTake = SET NX PX,
/// LockRelease = delete only while it still holds our token). A second query waits for the first (up to
/// <see cref="GatewayOptions.ConversationLockWait"/>), then gets 409.
/// </summary>
public sealed class ConversationLock(IConnectionMultiplexer redis, RedisKeys keys, IOptions<GatewayOptions> options)
{
    public async Task<IAsyncDisposable> AcquireAsync(Guid sessionId, Guid conversationId, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = keys.ConversationLock(sessionId, conversationId);
        var token = Guid.NewGuid().ToString("N");
        var ttl = options.Value.GenerationTimeout + TimeSpan.FromSeconds(30);
        var deadline = DateTime.UtcNow + options.Value.ConversationLockWait;
        var delay = 5;
        while (true)
        {
            if (await db.LockTakeAsync(key, token, ttl).WaitAsync(ct))
            {
                return new Release(db, key, token);
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

    private sealed class Release(IDatabase db, string key, string token) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await db.LockReleaseAsync(key, token);
            }
            catch (Exception ex) when (RedisFailure.Is(ex))
            {
                // The lock expires on its own; a failed release only delays the next query on this conversation.
            }
        }
    }
}
