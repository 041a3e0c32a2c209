using Distributed.Contracts.Inference.V1;
using Grpc.Core;

namespace Distributed.Gateway.Tests.Support;

/// <summary>The worker contract as a <see cref="FakeWorker"/> plays it: healthy status and catalog, a Generate that misbehaves on cue.</summary>
public sealed class FakeInferenceService(FakeWorkerHolder holder) : Inference.InferenceBase
{
    public override Task<GetStatusReply> GetStatus(GetStatusRequest request, ServerCallContext context) => Task.FromResult(FakeWorker.Status());

    public override Task<ListModelsReply> ListModels(ListModelsRequest request, ServerCallContext context) => Task.FromResult(FakeWorker.Catalog());

    public override Task<LoadModelReply> LoadModel(LoadModelRequest request, ServerCallContext context) =>
        Task.FromResult(new LoadModelReply { Message = $"{request.Name} model is ready to use.", AlreadyLoaded = true });

    public override Task Generate(GenerateRequest request, IServerStreamWriter<GenerateReply> responseStream, ServerCallContext context) =>
        holder.Worker.GenerateAsync(request, responseStream, context);
}
