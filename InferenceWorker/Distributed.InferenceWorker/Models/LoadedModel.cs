using System.Diagnostics;
using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Models;

/// <summary>A resident model: weights, one context with a slot per parallel sequence, and its decode loop.</summary>
public sealed class LoadedModel : IDisposable
{
    private readonly SafeLlamaModelHandle _model;
    private readonly SafeLlamaContextHandle _context;
    private int _leases;
    private long _lastUsed = Stopwatch.GetTimestamp();

    internal LoadedModel(
        CatalogEntry entry, SafeLlamaModelHandle model, SafeLlamaContextHandle context, GenerationEngine engine, long memoryBytes, double loadMs)
    {
        Entry = entry;
        _model = model;
        _context = context;
        Engine = engine;
        MemoryBytes = memoryBytes;
        LoadMs = loadMs;
        Parameters = (long)NativeMethods.llama_model_n_params(model);
        TrainContextLength = NativeMethods.llama_model_n_ctx_train(model);
        ChatTemplate = entry.Settings.ChatTemplate ?? PromptFormatter.ModelTemplate(model);
        HasChatTemplate = PromptFormatter.ModelTemplate(model) is not null;
    }

    public CatalogEntry Entry { get; }

    public string Name => Entry.Name;

    public GenerationEngine Engine { get; }

    public long MemoryBytes { get; }

    public double LoadMs { get; }

    public long Parameters { get; }

    public int TrainContextLength { get; }

    /// <summary>The template used for chat requests (override or the GGUF's), or null for the transcript fallback.</summary>
    public string? ChatTemplate { get; }

    public bool HasChatTemplate { get; }

    /// <summary>Requests currently using the model; a leased model is never unloaded.</summary>
    public int Leases => Volatile.Read(ref _leases);

    public long LastUsed => Interlocked.Read(ref _lastUsed);

    internal void AddLease()
    {
        Interlocked.Increment(ref _leases);
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
    }

    internal void ReleaseLease()
    {
        Interlocked.Decrement(ref _leases);
        Interlocked.Exchange(ref _lastUsed, Stopwatch.GetTimestamp());
    }

    public void Dispose()
    {
        Engine.Dispose();
        _context.Dispose();
        _model.Dispose();
    }
}
