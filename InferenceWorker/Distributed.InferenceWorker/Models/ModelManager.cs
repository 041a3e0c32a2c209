using System.Diagnostics;
using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Services;
using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Native;
using Microsoft.Extensions.Options;

namespace Distributed.InferenceWorker.Models;

/// <summary>
/// Keeps models resident within a budget (count and bytes). Concurrent loads of one model share one load;
/// the least recently used idle model is unloaded to make room; a leased model is never unloaded.
/// </summary>
public sealed partial class ModelManager(
    ModelCatalog catalog,
    HostKvCache hostCache,
    IOptions<WorkerOptions> options,
    ILoggerFactory loggerFactory) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LoadedModel> _loaded = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Task<LoadedModel>> _loading = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _nativeLoad = new(1, 1);
    private readonly ILogger _logger = loggerFactory.CreateLogger<ModelManager>();
    private readonly WorkerOptions _options = options.Value;

    public ModelCatalog Catalog => catalog;

    public IReadOnlyList<LoadedModel> Loaded
    {
        get
        {
            lock (_gate)
            {
                return [.. _loaded.Values];
            }
        }
    }

    public LoadedModel? Find(string name)
    {
        lock (_gate)
        {
            return _loaded.GetValueOrDefault(name);
        }
    }

    public async Task<LoadOutcome> LoadAsync(string name, CancellationToken cancellationToken)
    {
        var entry = catalog.Resolve(name);
        Task<LoadedModel> load;
        lock (_gate)
        {
            if (_loaded.TryGetValue(entry.Name, out var resident))
            {
                return new LoadOutcome(resident, AlreadyLoaded: true);
            }

            if (!_loading.TryGetValue(entry.Name, out load!))
            {
                load = Task.Run(() => LoadSharedAsync(entry), CancellationToken.None);
                _loading[entry.Name] = load;
            }
        }

        return new LoadOutcome(await load.WaitAsync(cancellationToken), AlreadyLoaded: false);
    }

    /// <summary>Loads the model if needed and keeps it resident until the lease is disposed.</summary>
    public async Task<ModelLease> AcquireAsync(string name, CancellationToken cancellationToken)
    {
        var entry = catalog.Resolve(name);
        while (true)
        {
            lock (_gate)
            {
                if (_loaded.TryGetValue(entry.Name, out var resident))
                {
                    resident.AddLease();
                    return new ModelLease(resident);
                }
            }

            // Evicted again between load and lease (very busy worker): load once more.
            await LoadAsync(entry.Name, cancellationToken);
        }
    }

    public bool Unload(string name)
    {
        var entry = catalog.Resolve(name);
        LoadedModel? model;
        lock (_gate)
        {
            if (!_loaded.TryGetValue(entry.Name, out model))
            {
                return false;
            }

            if (!IsIdle(model))
            {
                throw new WorkerException(ErrorReason.ModelFailed,
                    $"Model '{entry.Name}' is generating ({model.Engine.ActiveSequences} active, {model.Engine.QueuedSequences} queued); unload it when idle.");
            }

            _loaded.Remove(entry.Name);
        }

        Free(model);
        return true;
    }

    public void Dispose()
    {
        LoadedModel[] models;
        lock (_gate)
        {
            models = [.. _loaded.Values];
            _loaded.Clear();
        }

        foreach (var model in models)
        {
            model.Dispose();
        }
    }

    private static bool IsIdle(LoadedModel model) =>
        model.Leases == 0 && model.Engine.ActiveSequences == 0 && model.Engine.QueuedSequences == 0;

    private async Task<LoadedModel> LoadSharedAsync(CatalogEntry entry)
    {
        try
        {
            // One native load at a time: loads are memory- and CPU-heavy, and budgets are checked in order.
            await _nativeLoad.WaitAsync();
            try
            {
                MakeRoom(entry);
                var model = LoadNative(entry);
                lock (_gate)
                {
                    _loaded[entry.Name] = model;
                }

                return model;
            }
            finally
            {
                _nativeLoad.Release();
            }
        }
        finally
        {
            lock (_gate)
            {
                _loading.Remove(entry.Name);
            }
        }
    }

    private void MakeRoom(CatalogEntry entry)
    {
        var budget = _options.MemoryBudgetBytes;
        if (budget > 0 && entry.SizeBytes > budget)
        {
            throw new WorkerException(ErrorReason.NoMemory,
                $"Model '{entry.Name}' ({entry.SizeBytes} bytes) is larger than the memory budget ({budget} bytes).");
        }

        var evicted = new List<LoadedModel>();
        lock (_gate)
        {
            while (_loaded.Count >= _options.MaxLoadedModels
                || budget > 0 && _loaded.Values.Sum(m => m.MemoryBytes) + entry.SizeBytes > budget)
            {
                var victim = _loaded.Values.Where(IsIdle).OrderBy(m => m.LastUsed).FirstOrDefault()
                    ?? throw new WorkerException(ErrorReason.NoMemory,
                        $"Cannot load '{entry.Name}': {_loaded.Count} models are resident and all are busy.");
                _loaded.Remove(victim.Name);
                evicted.Add(victim);
            }
        }

        foreach (var model in evicted)
        {
            LogEvicted(_logger, model.Name, entry.Name);
            Free(model);
        }
    }

    private LoadedModel LoadNative(CatalogEntry entry)
    {
        EnsureGguf(entry);
        var settings = entry.Settings;
        var threads = settings.Threads is > 0 and var t ? Math.Min(t, Environment.ProcessorCount) : _options.EffectiveThreads;
        var parallel = settings.ParallelSequences ?? _options.ParallelSequences;
        var started = Stopwatch.GetTimestamp();
        var rssBefore = ResidentBytes();

        var modelParams = NativeMethods.llama_model_default_params();
        modelParams.NGpuLayers = settings.GpuLayers ?? _options.GpuLayers;
        LlamaLibrary.TakeLastError();
        var model = SafeLlamaModelHandle.Load(entry.Path, modelParams)
            ?? throw new WorkerException(ErrorReason.ModelFailed,
                $"Model file '{entry.FileName}' could not be loaded: {LlamaLibrary.TakeLastError() ?? "llama.cpp rejected it"}.");

        try
        {
            var trained = NativeMethods.llama_model_n_ctx_train(model);
            var perSequence = Math.Min(settings.ContextSize ?? _options.ContextSize, trained > 0 ? trained : int.MaxValue);
            var contextParams = NativeMethods.llama_context_default_params();
            contextParams.NCtx = (uint)(perSequence * parallel);
            contextParams.NBatch = (uint)_options.BatchSize;
            contextParams.NUbatch = (uint)_options.BatchSize;
            contextParams.NSeqMax = (uint)parallel;
            contextParams.NThreads = threads;
            contextParams.NThreadsBatch = threads;
            contextParams.NoPerf = 1;
            contextParams.KvUnified = _options.KvUnified ? (byte)1 : (byte)0;
            var kvType = KvCacheTypes.Parse(_options.KvCacheType);
            contextParams.TypeK = kvType;
            contextParams.TypeV = kvType;
            contextParams.FlashAttnType = _options.FlashAttention ?? (kvType != KvCacheTypes.F16 || LlamaLibrary.Backend == "cpu" ? 1 : -1);
            // The tiled CPU flash attention needs an F16 cache and one stream per sequence (a unified one counts rows across sequences).
            var padding = LlamaLibrary.Backend == "cpu" && contextParams.FlashAttnType == 1 && kvType == KvCacheTypes.F16 && !_options.KvUnified
                ? PrefillPadding.ForCpuFlashAttention(NativeMethods.llama_model_n_embd(model))
                : PrefillPadding.None;
            var context = SafeLlamaContextHandle.Create(model, contextParams)
                ?? throw new WorkerException(ErrorReason.ModelFailed,
                    $"No context could be created for '{entry.Name}': {LlamaLibrary.TakeLastError() ?? "llama.cpp refused the settings"}.");

            var engine = new GenerationEngine(
                entry.Name,
                context,
                new LlamaVocabulary(model),
                new EngineSettings(_options.QueueLimit, threads, _options.ThreadPoll, _options.ThreadPriority,
                    TimeSpan.FromMilliseconds(_options.StreamIntervalMs), perSequence, padding),
                hostCache,
                loggerFactory.CreateLogger<GenerationEngine>());
            var memory = Math.Max(ResidentBytes() - rssBefore, (long)NativeMethods.llama_model_size(model));
            var loaded = new LoadedModel(entry, model, context, engine, memory, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            LogLoaded(_logger, entry.Name, loaded.LoadMs, memory, engine.ContextLength, engine.Capacity, threads);
            return loaded;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Cheap check before llama.cpp: a clear reason for files that are not GGUF at all.</summary>
    private static void EnsureGguf(CatalogEntry entry)
    {
        Span<byte> magic = stackalloc byte[4];
        try
        {
            using var file = File.OpenRead(entry.Path);
            if (file.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || !magic.SequenceEqual("GGUF"u8))
            {
                throw new WorkerException(ErrorReason.ModelFailed, $"Model file '{entry.FileName}' is not a GGUF file.");
            }
        }
        catch (IOException ex)
        {
            throw new WorkerException(ErrorReason.ModelFailed, $"Model file '{entry.FileName}' cannot be read: {ex.Message}");
        }
    }

    private void Free(LoadedModel model)
    {
        var before = ResidentBytes();
        model.Dispose();
        hostCache.RemoveModel(model.Name);
        NativeMethods.malloc_trim(0);
        LogUnloaded(_logger, model.Name, before - ResidentBytes());
    }

    internal static long ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Loaded {Model} in {LoadMs:F0} ms ({Memory} bytes, context {Context} per sequence, {Parallel} sequences, {Threads} threads)")]
    private static partial void LogLoaded(ILogger logger, string model, double loadMs, long memory, int context, int parallel, int threads);

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Unloaded {Model}; resident memory fell by {Freed} bytes")]
    private static partial void LogUnloaded(ILogger logger, string model, long freed);

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Unloading least recently used {Model} to make room for {Incoming}")]
    private static partial void LogEvicted(ILogger logger, string model, string incoming);
}
