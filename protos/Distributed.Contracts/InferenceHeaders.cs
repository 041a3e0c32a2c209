namespace Distributed.Contracts;

/// <summary>
/// Request metadata of calls to <c>distributed.inference.v1.Inference</c> through the gateway's gRPC front door, which
/// forwards bodies unread: it routes by these headers. A worker reached directly ignores them.
/// </summary>
public static class InferenceHeaders
{
    /// <summary>The model the call is for (Generate's and LoadModel's model); routes to a worker that serves it.</summary>
    public const string Model = "x-distributed-model";

    /// <summary>Generate's cache key (the conversation), so the call lands where that conversation's KV cache is.</summary>
    public const string CacheKey = "x-distributed-cache-key";

    /// <summary>Names one worker (as the gateway lists it in <c>/llm/models</c>) for calls about that worker, such as GetStatus.</summary>
    public const string Worker = "x-distributed-worker";
}
