namespace Distributed.Grpc;

public enum MethodType
{
    Unary,
    ServerStreaming,
}
