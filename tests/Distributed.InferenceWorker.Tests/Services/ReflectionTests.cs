using Grpc.Core;
using Grpc.Reflection.V1Alpha;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>Server reflection (grpc.reflection.v1alpha) describes the worker's services, for grpcurl and friends.</summary>
public class ReflectionTests
{
    private WorkerHost _worker = null!;

    [OneTimeSetUp]
    public async Task StartWorker() => _worker = await WorkerHost.StartAsync();

    [OneTimeTearDown]
    public async Task StopWorker() => await _worker.DisposeAsync();

    [Test]
    public async Task ServerReflectionInfo_ListServices_ListsInferenceAndHealth()
    {
        var response = await AskAsync(new ServerReflectionRequest { ListServices = string.Empty });

        Assert.That(response.ListServicesResponse.Service.Select(s => s.Name),
            Is.SupersetOf(new[] { "distributed.inference.v1.Inference", "grpc.health.v1.Health" }));
    }

    [Test]
    public async Task ServerReflectionInfo_FileContainingInference_DescribesTheContract()
    {
        var response = await AskAsync(new ServerReflectionRequest { FileContainingSymbol = "distributed.inference.v1.Inference" });

        var files = response.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes))
            .ToArray();
        var inference = files.Single(f => f.Package == "distributed.inference.v1");
        Assert.That(inference.Service.Single().Method.Select(m => m.Name),
            Is.EquivalentTo(new[] { "ListModels", "LoadModel", "UnloadModel", "Generate", "GetStatus" }));
    }

    private async Task<ServerReflectionResponse> AskAsync(ServerReflectionRequest request)
    {
        var client = new ServerReflection.ServerReflectionClient(_worker.Channel);
        using var call = client.ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(15));
        await call.RequestStream.WriteAsync(request);
        await call.RequestStream.CompleteAsync();
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None), Is.True, "reflection answered");
        var response = call.ResponseStream.Current;
        Assert.That(response.MessageResponseCase, Is.Not.EqualTo(ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse),
            () => response.ErrorResponse.ErrorMessage);
        return response;
    }
}
