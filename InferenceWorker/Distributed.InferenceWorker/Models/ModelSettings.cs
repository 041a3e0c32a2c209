namespace Distributed.InferenceWorker.Models;

/// <summary>Per-model settings from <c>models.json</c>; unset values fall back to <see cref="WorkerOptions"/>.</summary>
public sealed class ModelSettings
{
    /// <summary>Other names that resolve to this model (the old system's clients say <c>llama2</c>, <c>llama3</c>, <c>mistral2</c>).</summary>
    public List<string> Aliases { get; set; } = [];

    public int? ContextSize { get; set; }

    public int? ParallelSequences { get; set; }

    public int? GpuLayers { get; set; }

    public int? Threads { get; set; }

    /// <summary>A llama.cpp built-in template name (<c>chatml</c>, <c>llama2</c>, <c>llama3</c>, ...) or template text.</summary>
    public string? ChatTemplate { get; set; }
}
