namespace Distributed.InferenceWorker.Models;

/// <summary>The ggml element types a KV cache may use (values of ggml's <c>enum ggml_type</c>).</summary>
public static class KvCacheTypes
{
    public const int F16 = 1;
    public const int Q4_0 = 2;
    public const int Q8_0 = 8;

    public static int Parse(string name) => name switch
    {
        "f16" => F16,
        "q8_0" => Q8_0,
        "q4_0" => Q4_0,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Expected f16, q8_0 or q4_0."),
    };
}
