using Distributed.Contracts.Inference.V1;
using Grpc.Core;
using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Models;
using Distributed.InferenceWorker.Native;
using Distributed.InferenceWorker.Telemetry;
using Microsoft.Extensions.Options;
using WireFinishReason = Distributed.Contracts.Inference.V1.FinishReason;

namespace Distributed.InferenceWorker.Services;

/// <summary>The <c>distributed.inference.v1.Inference</c> gRPC service.</summary>
public sealed class InferenceService(
    ModelManager models, HostKvCache hostCache, RejectionCounter rejections, WorkerMetrics metrics, IOptions<WorkerOptions> options) : Inference.InferenceBase
{
    private readonly WorkerOptions _options = options.Value;

    public override Task<ListModelsReply> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var reply = new ListModelsReply();
        foreach (var entry in models.Catalog.List())
        {
            reply.Models.Add(Describe(entry, models.Find(entry.Name)));
        }

        return Task.FromResult(reply);
    }

    public override async Task<LoadModelReply> LoadModel(LoadModelRequest request, ServerCallContext context)
    {
        var outcome = await models.LoadAsync(request.Name, context.CancellationToken);
        var model = outcome.Model;
        return new LoadModelReply
        {
            Message = $"{model.Name} model is ready to use.",
            Model = Describe(model.Entry, model),
            LoadMs = outcome.AlreadyLoaded ? 0 : model.LoadMs,
            MemoryBytes = model.MemoryBytes,
            AlreadyLoaded = outcome.AlreadyLoaded,
        };
    }

    public override Task<UnloadModelReply> UnloadModel(UnloadModelRequest request, ServerCallContext context)
    {
        var name = models.Catalog.Resolve(request.Name).Name;
        var wasLoaded = models.Unload(name);
        return Task.FromResult(new UnloadModelReply
        {
            WasLoaded = wasLoaded,
            Message = wasLoaded ? $"{name} model was unloaded." : $"{name} model was not loaded.",
        });
    }

    public override Task<GetStatusReply> GetStatus(GetStatusRequest request, ServerCallContext context)
    {
        var reply = new GetStatusReply
        {
            WorkerId = _options.WorkerId ?? Environment.MachineName,
            Capacity = _options.ParallelSequences,
            MemoryBudgetBytes = _options.MemoryBudgetBytes,
            MaxLoadedModels = _options.MaxLoadedModels,
            Backend = LlamaLibrary.Backend,
            RejectedTotal = rejections.Total,
        };
        foreach (var model in models.Loaded)
        {
            var engine = model.Engine;
            reply.Loaded.Add(new LoadedModelStatus
            {
                Name = model.Name,
                Capacity = engine.Capacity,
                ActiveSequences = engine.ActiveSequences,
                QueuedSequences = engine.QueuedSequences,
                ContextLength = engine.ContextLength,
                MemoryBytes = model.MemoryBytes,
                Rejected = rejections.For(model.Name),
            });
            reply.ActiveSequences += engine.ActiveSequences;
            reply.QueuedSequences += engine.QueuedSequences;
            reply.MemoryUsedBytes += model.MemoryBytes;
        }

        var cache = hostCache.Stats;
        reply.HostCache = new HostCacheStatus
        {
            Bytes = cache.Bytes,
            BudgetBytes = cache.BudgetBytes,
            Entries = cache.Entries,
            Hits = cache.Hits,
            Misses = cache.Misses,
            Saves = cache.Saves,
            Evictions = cache.Evictions,
            SaveMsTotal = cache.SaveMs,
            RestoreMsTotal = cache.RestoreMs,
        };

        return Task.FromResult(reply);
    }

    public override async Task Generate(GenerateRequest request, IServerStreamWriter<GenerateReply> stream, ServerCallContext context)
    {
        using var lease = await models.AcquireAsync(request.Model, context.CancellationToken);
        using var activity = WorkerTracing.StartGeneration(lease.Model.Name);
        var job = GenerateRequestReader.CreateJob(request, lease.Model, _options.DefaultMaxTokens, context.CancellationToken);
        try
        {
            lease.Model.Engine.Enqueue(job);
        }
        catch (WorkerException ex) when (ex.Reason == ErrorReason.QueueFull)
        {
            rejections.Record(lease.Model.Name);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "queue_full");
            throw;
        }

        // The engine always completes the job (cancelled jobs too), so read without a token.
        await foreach (var update in job.Updates.ReadAllAsync(CancellationToken.None))
        {
            var reply = new GenerateReply { Delta = update.Delta };
            if (update.Result is { } result)
            {
                metrics.RecordGeneration(lease.Model.Name, result);
                WorkerTracing.RecordResult(activity, job.EnqueuedAt, result);
                reply.FinishReason = result.FinishReason switch
                {
                    Generation.FinishReason.Stop => WireFinishReason.Stop,
                    Generation.FinishReason.Length => WireFinishReason.Length,
                    Generation.FinishReason.ContextFull => WireFinishReason.ContextFull,
                    _ => WireFinishReason.Cancelled,
                };
                reply.Usage = new Usage
                {
                    PromptTokens = result.PromptTokens,
                    CompletionTokens = result.CompletionTokens,
                    CachedTokens = result.CachedTokens,
                };
                if (job.Fit is { } fit)
                {
                    reply.Fit = new PromptFit
                    {
                        MessagesUsed = fit.Messages.Count,
                        MessagesDropped = job.MessagesSent - fit.Messages.Count,
                        FirstMessageKept = fit.FirstKept,
                    };
                }

                reply.Timings = new Timings
                {
                    QueuedMs = result.QueuedMs,
                    PrefillMs = result.PrefillMs,
                    PrefillTokensPerSecond = result.PrefillTokensPerSecond,
                    DecodeTokensPerSecond = result.DecodeTokensPerSecond,
                    TotalMs = result.TotalMs,
                };
            }

            if (!context.CancellationToken.IsCancellationRequested)
            {
                await stream.WriteAsync(reply, context.CancellationToken);
            }
        }

        context.CancellationToken.ThrowIfCancellationRequested();
    }

    private static ModelInfo Describe(CatalogEntry entry, LoadedModel? loaded)
    {
        var info = new ModelInfo
        {
            Name = entry.Name,
            File = entry.FileName,
            SizeBytes = entry.SizeBytes,
            Loaded = loaded is not null,
        };
        info.Aliases.AddRange(entry.Settings.Aliases);
        if (loaded is not null)
        {
            info.Parameters = loaded.Parameters;
            info.TrainContextLength = loaded.TrainContextLength;
            info.ContextLength = loaded.Engine.ContextLength;
            info.HasChatTemplate = loaded.HasChatTemplate;
        }

        return info;
    }
}
