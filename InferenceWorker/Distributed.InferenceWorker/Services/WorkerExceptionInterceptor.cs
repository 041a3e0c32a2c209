using Distributed.Contracts.Inference.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Distributed.InferenceWorker.Services;

/// <summary>The gRPC edge: a <see cref="WorkerException"/> becomes its status code plus a google.rpc.Status carrying the <see cref="ErrorDetail"/>.</summary>
public sealed class WorkerExceptionInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (WorkerException ex)
        {
            throw ToRpcException(ex);
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (WorkerException ex)
        {
            throw ToRpcException(ex);
        }
    }

    internal static StatusCode StatusFor(ErrorReason reason) => reason switch
    {
        ErrorReason.InvalidRequest or ErrorReason.PromptTooLong => StatusCode.InvalidArgument,
        ErrorReason.ModelNotFound => StatusCode.NotFound,
        ErrorReason.QueueFull or ErrorReason.NoMemory => StatusCode.ResourceExhausted,
        ErrorReason.ModelUnloading => StatusCode.Unavailable,
        ErrorReason.ModelFailed => StatusCode.FailedPrecondition,
        _ => StatusCode.Internal,
    };

    internal static RpcException ToRpcException(WorkerException ex)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusFor(ex.Reason),
            Message = ex.Message,
            Details = { Any.Pack(ex.ToDetail()) },
        };
        return status.ToRpcException();
    }
}
