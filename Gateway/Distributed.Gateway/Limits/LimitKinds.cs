namespace Distributed.Gateway.Limits;

/// <summary>
/// The <c>distributed.limit.kind</c> label of <c>distributed.gateway.limit.rejections</c>: one constant per limit the
/// gateway enforces, so the label set stays small and never carries request data.
/// </summary>
public static class LimitKinds
{
    /// <summary>Requests per minute of a principal (429).</summary>
    public const string Rate = "rate";

    /// <summary>Generated tokens per minute of a principal (429).</summary>
    public const string Tokens = "tokens";

    /// <summary>Generations in flight of a principal (429).</summary>
    public const string Concurrency = "concurrency";

    /// <summary>Failed-login lockout, per email and/or client address (429).</summary>
    public const string Login = "login";

    /// <summary>Kestrel's maximum request body size (413).</summary>
    public const string BodySize = "body_size";

    /// <summary>The worker's queue for the model was full and no other worker took the call (503).</summary>
    public const string QueueFull = "queue_full";

    /// <summary>The worker had no memory for the model (every resident model busy) and no other worker took the call (503).</summary>
    public const string WorkerMemory = "worker_memory";
}
