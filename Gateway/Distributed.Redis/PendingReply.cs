namespace Distributed.Redis;

/// <summary>
/// One command waiting for its reply. Continuations run asynchronously so user code never executes on
/// (and stalls) the reader loop that completes these in FIFO order.
/// </summary>
internal sealed class PendingReply : TaskCompletionSource<RespValue>
{
    public PendingReply(RedisCommand command)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        Command = command;
    }

    public RedisCommand Command { get; }
}
