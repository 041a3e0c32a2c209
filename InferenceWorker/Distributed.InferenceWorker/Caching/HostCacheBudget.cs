namespace Distributed.InferenceWorker.Caching;

/// <summary>
/// How much host memory the KV tier may hold. <see cref="Models.WorkerOptions.HostCacheBytes"/> set to a size wins;
/// left at <see cref="Auto"/>, a quarter of the memory the process may use (the container's limit where there is one,
/// as the GC sees it): the conversations of many users fit (a 110M-parameter model keeps ~37 KB per token), and the
/// weights, contexts and the gateway's neighbours keep the rest.
/// </summary>
public static class HostCacheBudget
{
    public const long Auto = -1;

    public static long Resolve(long configured, long availableMemoryBytes) =>
        configured >= 0 ? configured : Math.Max(0, availableMemoryBytes / 4);
}
