using System.ComponentModel.DataAnnotations;

namespace Distributed.Gateway.Workers;

/// <summary>Section <c>Workers</c>: where the InferenceWorkers are and how the gateway talks to them.</summary>
public sealed class WorkersOptions
{
    public const string SectionName = "Workers";

    /// <summary>
    /// Worker addresses (<c>http://host:port</c>, or <c>host:port</c>; an entry may hold several, comma-separated).
    /// A DNS name resolving to several addresses counts as several workers (compose --scale, Kubernetes headless services).
    /// </summary>
    [MinLength(1)]
    public List<string> Addresses { get; set; } = [];

    /// <summary>How often DNS names are resolved again.</summary>
    public TimeSpan ResolveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often each worker's status and catalog are polled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Deadline of status, catalog and unload calls.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of a model load (switch-model waits for it).</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for a generation's first reply (queue, load and prefill); then 504.</summary>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Workers tried for one generation while no token has been streamed.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Failures in a row... see <see cref="WorkerEndpoint"/>: the breaker opens at this failure ratio.</summary>
    [Range(0.01, 1.0)]
    public double BreakerFailureRatio { get; set; } = 0.5;

    public TimeSpan BreakerDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Route each conversation to the same worker (rendezvous hashing of its id, weighted by capacity), so its KV cache
    /// is there next turn. Off: every generation goes to the worker with the most free sequences.
    /// </summary>
    public bool ConversationAffinity { get; set; } = true;

    /// <summary>
    /// Conversation affinity gives way when the conversation's worker has more than this many times the average load
    /// (plus one sequence): then the next rendezvous choice serves the turn.
    /// </summary>
    [Range(1.0, 100.0)]
    public double AffinityLoadFactor { get; set; } = 1.5;

    /// <summary>HTTP/2 PING interval on an idle-looking connection, so a dead worker is noticed without waiting for TCP.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a PING may go unanswered before the connection (and its calls) is dropped.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an unused connection to a worker is kept open.</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public IEnumerable<string> ExpandedAddresses() =>
        Addresses.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
