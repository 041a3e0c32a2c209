using System.ComponentModel.DataAnnotations;

namespace Distributed.InferenceWorker.Models;

/// <summary>Worker settings, section <c>Worker</c> (environment: <c>Worker__ModelsDirectory</c>, ...).</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>gRPC port (HTTP/2 cleartext); 0 picks a free one.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 4000;

    /// <summary>Port of <c>/metrics</c> (Prometheus, HTTP/1.1); 0 serves no metrics port.</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; } = 9464;

    /// <summary>Folder of <c>.gguf</c> files and an optional <c>models.json</c>.</summary>
    [Required]
    public string ModelsDirectory { get; set; } = "models";

    /// <summary>How many models stay resident at once; the least recently used idle one is unloaded first.</summary>
    [Range(1, 64)]
    public int MaxLoadedModels { get; set; } = 2;

    /// <summary>Bytes the resident models may use together; 0 means no byte budget.</summary>
    [Range(0, long.MaxValue)]
    public long MemoryBudgetBytes { get; set; }

    /// <summary>CPU threads per decode; 0 means the machine's core count (never more: ggml spin-waits).</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>
    /// ggml's polling level for its worker threads between decode steps (0 sleep … 100 spin). Spinning steals the cores
    /// the server's own threads need to stream tokens, so the default is 0.
    /// </summary>
    [Range(0, 100)]
    public int ThreadPoll { get; set; }

    /// <summary>
    /// Scheduling of ggml's compute threads: 0 normal (default), 1 medium, 2 high (ggml's levels; 1 and 2 are SCHED_FIFO
    /// and need CAP_SYS_NICE, else ggml warns and keeps normal). On a quiet, dedicated machine a raised pool is not
    /// preempted mid-step by the server's own threads (measured ~4x single-stream decode on 2 cores); under outside
    /// CPU load a FIFO thread spin-waiting for a preempted normal thread burns its core instead, so it is opt-in.
    /// </summary>
    [Range(0, 2)]
    public int ThreadPriority { get; set; }

    /// <summary>
    /// llama.cpp flash attention: -1 auto, 0 off, 1 on. Unset: on for the CPU backend, auto on a GPU. Measured
    /// 2026-12-01 (110M Q4_K, 2 threads, 2 interleaved rounds each, on vs off): prefill 1.76x, time to first token
    /// 0.67x, decode 1.12x at 1 stream, aggregate 1.18x at 4 streams, and multi-turn chat (8 x 8 turns) 1.2x, the gap
    /// growing with the context (without it, attention reads the whole f16 cache per token and dominates by turn 8).
    /// </summary>
    [Range(-1, 1)]
    public int? FlashAttention { get; set; }

    /// <summary>
    /// Shortest gap in milliseconds between two streamed deltas of one generation; tokens sampled in between are sent
    /// together. The first delta always goes out at once. 0 streams every token.
    /// </summary>
    [Range(0, 1000)]
    public int StreamIntervalMs { get; set; }

    /// <summary>Context tokens per sequence, capped by the model's training context.</summary>
    [Range(64, 1 << 20)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>
    /// One KV cache shared by all sequences (llama.cpp's <c>kv_unified</c>) instead of one stream per sequence (default).
    /// Shared, every token attends over all sequences' cells (masked): measured 145 vs 244 tok/s at 4 streams (110M
    /// Q4_K, 2 threads). Separate streams cost a second compute pass when the sequences decoding together are not
    /// consecutive ids (llama.cpp splits such a batch), which is rare under load. Either way there are
    /// <see cref="ContextSize"/> x <see cref="ParallelSequences"/> cells and each sequence is capped at <see cref="ContextSize"/>.
    /// </summary>
    public bool KvUnified { get; set; }

    /// <summary>
    /// The KV cache's element type (llama.cpp's <c>type_k</c>/<c>type_v</c>): <c>f16</c> (default), <c>q8_0</c> or
    /// <c>q4_0</c>. A quantized V cache needs flash attention, which is then turned on unless <see cref="FlashAttention"/>
    /// says otherwise (llama.cpp refuses the context when it is off).
    /// </summary>
    [RegularExpression("^(f16|q8_0|q4_0)$")]
    public string KvCacheType { get; set; } = "f16";

    /// <summary>Sequences decoded together per model (continuous batching).</summary>
    [Range(1, 256)]
    public int ParallelSequences { get; set; } = 4;

    /// <summary>Most tokens in one <c>llama_decode</c> call; larger batches abort llama.cpp.</summary>
    [Range(32, 8192)]
    public int BatchSize { get; set; } = 512;

    /// <summary>
    /// Host memory for the KV states of conversations whose sequence slot went to another request (all models
    /// together; least recently used first out). Their next turn restores the state instead of prefilling the whole
    /// history again. 0 turns the tier off; -1 (the default) is a quarter of the memory the process may use
    /// (<see cref="Caching.HostCacheBudget"/>).
    /// </summary>
    [Range(Caching.HostCacheBudget.Auto, long.MaxValue)]
    public long HostCacheBytes { get; set; } = Caching.HostCacheBudget.Auto;

    /// <summary>Requests that may wait per model when every sequence is busy.</summary>
    [Range(0, 10_000)]
    public int QueueLimit { get; set; } = 64;

    /// <summary>Generated tokens when a request sets none.</summary>
    [Range(1, 1 << 20)]
    public int DefaultMaxTokens { get; set; } = 512;

    /// <summary>Layers offloaded to a GPU (-1: all); ignored without a GPU backend.</summary>
    [Range(-1, 10_000)]
    public int GpuLayers { get; set; } = -1;

    /// <summary><c>cpu</c> or <c>cuda</c>: which native build to load from <c>native/&lt;variant&gt;</c>.</summary>
    [RegularExpression("^(cpu|cuda)$")]
    public string NativeVariant { get; set; } = "cpu";

    /// <summary>Overrides the folder of the llama.cpp shared libraries.</summary>
    public string? NativeDirectory { get; set; }

    /// <summary>Models loaded at start-up, so the first request does not wait for a load.</summary>
    public List<string> Preload { get; set; } = [];

    /// <summary>Name reported in status replies; defaults to the host name.</summary>
    public string? WorkerId { get; set; }

    public int EffectiveThreads => Threads > 0 ? Math.Min(Threads, Environment.ProcessorCount) : Environment.ProcessorCount;

    public string ResolveNativeDirectory() =>
        NativeDirectory ?? Path.Combine(AppContext.BaseDirectory, "native", NativeVariant);
}
