namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// Real time, shifted so that a UTC minute has just begun when the clock is created. The gateway's per-minute budgets
/// are fixed one-minute windows; with this clock a test that finishes within a minute never straddles two windows.
/// Gateways that must share a window (replicas on one Redis) share one instance.
/// </summary>
public sealed class MinuteStartClock : TimeProvider
{
    private readonly TimeSpan _offset;

    public MinuteStartClock()
    {
        var now = DateTimeOffset.UtcNow;
        _offset = TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(now.UtcTicks % TimeSpan.TicksPerMinute);
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}
