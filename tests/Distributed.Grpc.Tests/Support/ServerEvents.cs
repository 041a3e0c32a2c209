using System.Collections.Concurrent;

namespace Distributed.Grpc.Tests.Support;

/// <summary>What handlers report ("started", "cancelled") and what tests tell them ("release"), per call id.</summary>
internal sealed class ServerEvents
{
    /// <summary>Generous: these waits only guard against hangs, they never measure timing.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _events = new();

    public void Signal(string id, string name) => Get(id, name).TrySetResult();

    public bool HasHappened(string id, string name) => Get(id, name).Task.IsCompleted;

    public Task WaitAsync(string id, string name) => Get(id, name).Task.WaitAsync(Timeout);

    private TaskCompletionSource Get(string id, string name) =>
        _events.GetOrAdd($"{id}/{name}", _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
