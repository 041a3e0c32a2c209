using Distributed.Contracts.Inference.V1;

namespace Distributed.InferenceWorker.Services;

/// <summary>
/// A request the worker cannot serve, as data: the reason (and for a prompt that does not fit, the token counts).
/// <see cref="WorkerExceptionInterceptor"/> turns it into a gRPC status with an <see cref="ErrorDetail"/>.
/// </summary>
public sealed class WorkerException(ErrorReason reason, string message) : Exception(message)
{
    public ErrorReason Reason { get; } = reason;

    public int PromptTokens { get; init; }

    public int ContextLength { get; init; }

    public static WorkerException Invalid(string message) => new(ErrorReason.InvalidRequest, message);

    public ErrorDetail ToDetail() => new() { Reason = Reason, PromptTokens = PromptTokens, ContextLength = ContextLength };
}
