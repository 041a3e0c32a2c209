using Distributed.Grpc;

namespace Grpc.Health.V1;

/// <summary>Wire descriptor of the standard <c>grpc.health.v1.Health</c> service.</summary>
public static class HealthMethods
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> Check =
        new(MethodType.Unary, ServiceName, "Check", HealthCheckRequest.Parser, HealthCheckResponse.Parser);
}
