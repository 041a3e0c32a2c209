namespace Distributed.Gateway.Storage;

/// <summary>
/// Something held in Redis for as long as its holder is alive: it is written with a short expiry
/// (<see cref="GatewayOptions.LeaseDuration"/>) and renewed every third of it while the work runs, so a holder that
/// crashed (gateway killed, Redis restarted, network gone) frees it within one lease. Disposing stops the renewal and
/// releases it at once. <see cref="Lost"/> is cancelled when a renewal finds the lease taken by someone else (it had
/// lapsed and another holder took it): the work no longer holds what it was serialized by.
/// </summary>
public sealed class RedisLease : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Func<Task> _release;
    private readonly Task _renewal;
    private int _disposed;

    /// <param name="renew">Extends the lease by one lease length; false when it is no longer ours.</param>
    /// <param name="release">Deletes the lease when it is still ours.</param>
    public RedisLease(TimeSpan duration, Func<Task<bool>> renew, Func<Task> release)
    {
        _release = release;
        _renewal = RenewAsync(duration / 3, renew);
    }

    private RedisLease()
    {
        _release = () => Task.CompletedTask;
        _renewal = Task.CompletedTask;
    }

    /// <summary>A lease of nothing (no limit configured): disposing it does nothing.</summary>
    public static RedisLease None => new();

    /// <summary>Cancelled when the lease was found taken over by another holder.</summary>
    public CancellationToken Lost => _lost.Token;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _renewal;
        try
        {
            await _release();
        }
        catch (Exception ex) when (RedisFailure.Is(ex))
        {
            // The lease expires on its own within one lease length.
        }

        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task RenewAsync(TimeSpan interval, Func<Task<bool>> renew)
    {
        try
        {
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    if (!await renew())
                    {
                        await _lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception ex) when (RedisFailure.Is(ex))
                {
                    // Redis is away for now: try again next tick. If it stays away longer than the lease, the lease lapses.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
