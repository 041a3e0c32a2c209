using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Serializes queries per conversation across every gateway replica with a Redis lock held as a lease
/// (<see cref="RedisLease"/>): LockTake = SET NX PX <see cref="GatewayOptions.LeaseDuration"/>, renewed with
/// LockExtend (compare-and-extend) every third of it while the query runs, LockRelease (compare-and-delete) when it
/// ends. A gateway that dies mid-query frees the conversation within one lease. A second query waits for the first
/// (up to <see cref="GatewayOptions.ConversationLockWait"/>), then gets 409.
/// </summary>
public sealed class ConversationLock(IConnectionMultiplexer redis, RedisKeys keys, IOptions<GatewayOptions> options)
{
    public async Task<RedisLease> AcquireAsync(Guid sessionId, Guid conversationId, CancellationToken ct)
    {
        var db = redis.GetDatabase();
        var key = keys.ConversationLock(sessionId, conversationId);
        var token = Guid.NewGuid().ToString("N");
        var lease = options.Value.LeaseDuration;
        var deadline = DateTime.UtcNow + options.Value.ConversationLockWait;
        var delay = 5;
        while (true)
        {
            if (await db.LockTakeAsync(key, token, lease).WaitAsync(ct))
            {
                // A renewal late enough to find the lease lapsed (a stalled process, Redis away) takes it again if
                // nobody else did; it is lost only to another holder.
                return new RedisLease(
                    lease,
                    async () => await db.LockExtendAsync(key, token, lease) || await db.LockTakeAsync(key, token, lease),
                    () => db.LockReleaseAsync(key, token));
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
}
