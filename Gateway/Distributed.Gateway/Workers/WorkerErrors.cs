using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Grpc.Core;

namespace Distributed.Gateway.Workers;

/// <summary>Worker gRPC statuses → HTTP errors, reading the worker's <see cref="ErrorDetail"/> rather than its message text.</summary>
public static class WorkerErrors
{
    /// <summary>Worth another worker: it failed or was full before streaming anything.</summary>
    public static bool IsRetryable(RpcException ex) =>
        ex.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.NotFound or StatusCode.Aborted or StatusCode.Unknown or StatusCode.Internal;

    /// <summary>The structured detail the worker attached to its status; null for statuses it did not produce (transport, proxies).</summary>
    public static ErrorDetail? Detail(RpcException ex) => ex.GetRpcStatus()?.GetDetail<ErrorDetail>();

    public static Exception Map(RpcException ex)
    {
        var detail = Detail(ex);
        var message = ex.Status.Detail;
        return ex.StatusCode switch
        {
            StatusCode.InvalidArgument when detail is { Reason: ErrorReason.PromptTooLong } tooLong =>
                new PromptTooLongException(tooLong.PromptTokens, tooLong.ContextLength, $"The conversation does not fit the model's context: {message}"),
            StatusCode.InvalidArgument => ApiException.BadRequest("query", message),
            StatusCode.NotFound => new ApiException(StatusCodes.Status400BadRequest, "Unknown model", message) { Field = "model_name" },
            StatusCode.DeadlineExceeded => new ApiException(StatusCodes.Status504GatewayTimeout, "Gateway timeout", "The worker did not finish in time."),
            StatusCode.Cancelled => new OperationCanceledException(message),
            StatusCode.Unavailable or StatusCode.ResourceExhausted => ApiException.Unavailable($"No worker can take the request now: {message}", 2),
            StatusCode.FailedPrecondition => new ApiException(StatusCodes.Status502BadGateway, "Model unavailable", message),
            _ => new ApiException(StatusCodes.Status502BadGateway, "Worker error", $"The worker failed: {ex.StatusCode}."),
        };
    }
}
