using Distributed.Grpc;

namespace Distributed.Contracts.Inference.V1;

/// <summary>Wire descriptors of the <c>distributed.inference.v1.Inference</c> service.</summary>
public static class InferenceMethods
{
    public const string ServiceName = "distributed.inference.v1.Inference";

    public static readonly Method<ListModelsRequest, ListModelsReply> ListModels =
        new(MethodType.Unary, ServiceName, "ListModels", ListModelsRequest.Parser, ListModelsReply.Parser);

    public static readonly Method<LoadModelRequest, LoadModelReply> LoadModel =
        new(MethodType.Unary, ServiceName, "LoadModel", LoadModelRequest.Parser, LoadModelReply.Parser);

    public static readonly Method<UnloadModelRequest, UnloadModelReply> UnloadModel =
        new(MethodType.Unary, ServiceName, "UnloadModel", UnloadModelRequest.Parser, UnloadModelReply.Parser);

    public static readonly Method<GenerateRequest, GenerateReply> Generate =
        new(MethodType.ServerStreaming, ServiceName, "Generate", GenerateRequest.Parser, GenerateReply.Parser);

    public static readonly Method<GetStatusRequest, GetStatusReply> GetStatus =
        new(MethodType.Unary, ServiceName, "GetStatus", GetStatusRequest.Parser, GetStatusReply.Parser);
}
