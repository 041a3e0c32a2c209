using Distributed.Contracts.Inference.V1;
using Distributed.Grpc;
using Distributed.InferenceWorker.Native;
using Grpc.Health.V1;

namespace Distributed.InferenceWorker.Services;

/// <summary>The standard <c>grpc.health.v1.Health/Check</c>: serving once llama.cpp is initialized.</summary>
public sealed class HealthService
{
    public void Register(GrpcServiceBuilder service) => service.AddUnary(HealthMethods.Check, Check);

    public Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (request.Service.Length > 0 && request.Service != InferenceMethods.ServiceName)
        {
            throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        }

        return Task.FromResult(new HealthCheckResponse
        {
            Status = LlamaLibrary.IsInitialized ? HealthCheckResponse.Types.ServingStatus.Serving : HealthCheckResponse.Types.ServingStatus.NotServing,
        });
    }
}
