namespace Distributed.InferenceWorker.Caching;

/// <summary>A snapshot of the host KV tier, for GetStatus.</summary>
public sealed record HostKvCacheStats(
    long Bytes, long BudgetBytes, int Entries, long Hits, long Misses, long Saves, long Evictions, double SaveMs, double RestoreMs);
