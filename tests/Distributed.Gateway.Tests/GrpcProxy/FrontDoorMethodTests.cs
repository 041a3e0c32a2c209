using Distributed.Gateway.GrpcProxy;

namespace Distributed.Gateway.Tests.GrpcProxy;

[TestFixture]
public sealed class FrontDoorMethodTests
{
    [TestCase("/distributed.inference.v1.Inference/Generate", "Generate", true, false)]
    [TestCase("/distributed.inference.v1.Inference/LoadModel", "LoadModel", true, false)]
    [TestCase("/distributed.inference.v1.Inference/UnloadModel", "UnloadModel", true, true)]
    [TestCase("/distributed.inference.v1.Inference/ListModels", "ListModels", false, false)]
    [TestCase("/distributed.inference.v1.Inference/GetStatus", "GetStatus", false, false)]
    public void FromPath_ContractMethod_KnowsWhatItNeeds(string path, string name, bool needsModel, bool adminOnly)
    {
        var method = FrontDoorMethod.FromPath(path);

        Assert.That(method, Is.EqualTo(new FrontDoorMethod(name, needsModel, adminOnly)));
    }

    [TestCase("/distributed.inference.v1.Inference/Missing")]
    [TestCase("/distributed.inference.v1.Inference/")]
    [TestCase("/distributed.inference.v1.Inference")]
    [TestCase("/distributed.inference.v1.InferenceX/Generate")]
    [TestCase("/grpc.health.v1.Health/Check")]
    [TestCase("/llm/sessions")]
    [TestCase("/distributed.inference.v1.inference/generate")]
    public void FromPath_OtherPath_Null(string path)
    {
        Assert.That(FrontDoorMethod.FromPath(path), Is.Null);
    }

    [TestCase(400, Grpc.Core.StatusCode.InvalidArgument)]
    [TestCase(401, Grpc.Core.StatusCode.Unauthenticated)]
    [TestCase(403, Grpc.Core.StatusCode.PermissionDenied)]
    [TestCase(429, Grpc.Core.StatusCode.ResourceExhausted)]
    [TestCase(503, Grpc.Core.StatusCode.Unavailable)]
    [TestCase(500, Grpc.Core.StatusCode.Internal)]
    public void FromHttp_GatewayStatus_MatchingGrpcStatus(int http, Grpc.Core.StatusCode expected)
    {
        Assert.That(GrpcStatusWriter.FromHttp(http), Is.EqualTo(expected));
    }
}
