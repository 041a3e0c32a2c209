using System.Buffers;
using System.Diagnostics;

namespace Distributed.Bench.Gguf;

/// <summary>Shape and encoding of a random-weight llama model.</summary>
public sealed record LlamaModelSpec
{
    public string Name { get; init; } = "random-llama";
    public int EmbeddingLength { get; init; } = 768;
    public int BlockCount { get; init; } = 12;
    public int HeadCount { get; init; } = 12;
    public int HeadCountKv { get; init; } = 12;
    public int FeedForwardLength { get; init; } = 2048;
    public int ContextLength { get; init; } = 2048;
    public GgmlType WeightType { get; init; } = GgmlType.Q4_K;
    public bool TieEmbeddings { get; init; }
    public ulong Seed { get; init; } = 1;

    /// <summary>Standard deviation of the normal distribution the matrices are drawn from.</summary>
    public float InitStd { get; init; } = 0.02f;
    public float RmsEpsilon { get; init; } = 1e-5f;
    public float RopeFreqBase { get; init; } = 10000f;

    public int HeadDimension => EmbeddingLength / HeadCount;

    public void Validate()
    {
        static void Require(bool condition, string message)
        {
            if (!condition)
            {
                throw new ArgumentException(message);
            }
        }

        Require(EmbeddingLength > 0 && BlockCount > 0 && HeadCount > 0 && HeadCountKv > 0 && FeedForwardLength > 0 && ContextLength > 0,
            "All dimensions must be positive.");
        Require(EmbeddingLength % HeadCount == 0, $"dim {EmbeddingLength} is not a multiple of heads {HeadCount}.");
        Require(HeadCount % HeadCountKv == 0, $"heads {HeadCount} is not a multiple of kv-heads {HeadCountKv}.");
        Require(HeadDimension % 2 == 0, $"head dimension {HeadDimension} must be even (RoPE).");
        Require(EmbeddingLength % 32 == 0, $"dim {EmbeddingLength} must be a multiple of 32.");
        Require(WeightType is GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0 or GgmlType.Q4_K, $"Unsupported weight type {WeightType}.");
        Require(InitStd is > 0 and < 1, "init std must be in (0, 1).");
    }
}

/// <summary>One tensor of the planned model.</summary>
public sealed record PlannedTensor(string Name, long Columns, long Rows, GgmlType Type, bool Ones)
{
    public long Elements => Columns * Rows;
    public long Bytes => GgmlTypeInfo.RowBytes(Type, Columns) * Rows;
    public long[] Dimensions => Rows == 1 ? [Columns] : [Columns, Rows];
}

/// <summary>Summary of a written model.</summary>
public sealed record ModelWriteResult(string Path, long Parameters, long FileBytes, int TensorCount, int VocabularySize,
    IReadOnlyDictionary<GgmlType, int> TensorTypes, TimeSpan Elapsed);

/// <summary>
/// Writes a llama-architecture GGUF with random weights: norms are ones, matrices are N(0, std²) encoded in the chosen
/// type (a matrix whose rows are not a whole number of blocks falls back to Q8_0, then F16). Tokenizer metadata is
/// copied from another GGUF, and its vocabulary sets the embedding and output shapes.
/// </summary>
public static class RandomLlamaModel
{
    /// <summary>Largest slab of encoded rows held in memory at once.</summary>
    private const long SlabBytes = 32L * 1024 * 1024;

    public static IReadOnlyList<PlannedTensor> Plan(LlamaModelSpec spec, int vocabularySize)
    {
        spec.Validate();
        long dim = spec.EmbeddingLength;
        long kvDim = (long)spec.HeadDimension * spec.HeadCountKv;
        long ff = spec.FeedForwardLength;
        var tensors = new List<PlannedTensor>
        {
            Matrix("token_embd.weight", dim, vocabularySize, spec.WeightType),
            new("output_norm.weight", dim, 1, GgmlType.F32, Ones: true),
        };
        if (!spec.TieEmbeddings)
        {
            tensors.Add(Matrix("output.weight", dim, vocabularySize, spec.WeightType));
        }

        for (var i = 0; i < spec.BlockCount; i++)
        {
            var p = $"blk.{i}.";
            tensors.Add(new(p + "attn_norm.weight", dim, 1, GgmlType.F32, Ones: true));
            tensors.Add(Matrix(p + "attn_q.weight", dim, dim, spec.WeightType));
            tensors.Add(Matrix(p + "attn_k.weight", dim, kvDim, spec.WeightType));
            tensors.Add(Matrix(p + "attn_v.weight", dim, kvDim, spec.WeightType));
            tensors.Add(Matrix(p + "attn_output.weight", dim, dim, spec.WeightType));
            tensors.Add(new(p + "ffn_norm.weight", dim, 1, GgmlType.F32, Ones: true));
            tensors.Add(Matrix(p + "ffn_gate.weight", dim, ff, spec.WeightType));
            tensors.Add(Matrix(p + "ffn_up.weight", dim, ff, spec.WeightType));
            tensors.Add(Matrix(p + "ffn_down.weight", ff, dim, spec.WeightType));
        }

        return tensors;
    }

    /// <summary>The type a matrix of the given row length gets: the wanted one if its block size divides the row.</summary>
    public static GgmlType EffectiveType(GgmlType wanted, long columns)
    {
        foreach (var candidate in new[] { wanted, GgmlType.Q8_0, GgmlType.F16 })
        {
            if (columns % GgmlTypeInfo.Geometry(candidate)!.Value.BlockSize == 0)
            {
                return candidate;
            }
        }

        return GgmlType.F16;
    }

    /// <summary>llama.cpp's general.file_type (llama_ftype) for a model whose matrices are mostly <paramref name="type"/>.</summary>
    public static uint FileType(GgmlType type) => type switch
    {
        GgmlType.F32 => 0,  // ALL_F32
        GgmlType.F16 => 1,  // MOSTLY_F16
        GgmlType.Q8_0 => 7, // MOSTLY_Q8_0
        GgmlType.Q4_K => 14, // MOSTLY_Q4_K_S (every matrix Q4_K)
        _ => throw new NotSupportedException(type.ToString()),
    };

    public static ModelWriteResult Write(string path, LlamaModelSpec spec, GgufFile tokenizerSource)
    {
        spec.Validate();
        var tokenizerKeys = tokenizerSource.Metadata.Where(pair => pair.Key.StartsWith("tokenizer.", StringComparison.Ordinal)).ToList();
        var tokens = tokenizerSource.Find("tokenizer.ggml.tokens")?.Value as GgufArray
            ?? throw new InvalidDataException("The tokenizer source has no tokenizer.ggml.tokens array.");
        var vocabularySize = tokens.Count;
        var plan = Plan(spec, vocabularySize);

        var stopwatch = Stopwatch.StartNew();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // Written under a temporary name and renamed at the end, so a reader never sees a half-written model.
        var temporary = path + ".partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            using (var writer = new GgufWriter(stream))
            {
                AddMetadata(writer, spec, vocabularySize, tokenizerKeys);
                foreach (var tensor in plan)
                {
                    writer.AddTensor(tensor.Name, tensor.Dimensions, tensor.Type);
                }

                writer.WriteHeader();
                var maxRowBytes = plan.Max(t => GgmlTypeInfo.RowBytes(t.Type, t.Columns));
                var slab = ArrayPool<byte>.Shared.Rent((int)Math.Max(maxRowBytes, Math.Min(SlabBytes, plan.Max(t => t.Bytes))));
                try
                {
                    for (var index = 0; index < plan.Count; index++)
                    {
                        WriteTensor(writer, plan[index], index, spec, slab);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(slab);
                }

                writer.Finish();
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        stopwatch.Stop();
        var types = plan.Where(t => !t.Ones).GroupBy(t => t.Type).ToDictionary(g => g.Key, g => g.Count());
        return new ModelWriteResult(path, plan.Sum(t => t.Elements), new FileInfo(path).Length, plan.Count, vocabularySize, types, stopwatch.Elapsed);
    }

    private static PlannedTensor Matrix(string name, long columns, long rows, GgmlType wanted) =>
        new(name, columns, rows, EffectiveType(wanted, columns), Ones: false);

    private static void AddMetadata(GgufWriter writer, LlamaModelSpec spec, int vocabularySize,
        IEnumerable<KeyValuePair<string, GgufValue>> tokenizerKeys)
    {
        writer.AddMetadata("general.architecture", GgufValue.String("llama"));
        writer.AddMetadata("general.name", GgufValue.String(spec.Name));
        writer.AddMetadata("general.alignment", GgufValue.UInt32(writer.Alignment));
        writer.AddMetadata("general.file_type", GgufValue.UInt32(FileType(spec.WeightType)));
        writer.AddMetadata("general.quantization_version", GgufValue.UInt32(2));
        writer.AddMetadata("llama.vocab_size", GgufValue.UInt32((uint)vocabularySize));
        writer.AddMetadata("llama.context_length", GgufValue.UInt32((uint)spec.ContextLength));
        writer.AddMetadata("llama.embedding_length", GgufValue.UInt32((uint)spec.EmbeddingLength));
        writer.AddMetadata("llama.block_count", GgufValue.UInt32((uint)spec.BlockCount));
        writer.AddMetadata("llama.feed_forward_length", GgufValue.UInt32((uint)spec.FeedForwardLength));
        writer.AddMetadata("llama.attention.head_count", GgufValue.UInt32((uint)spec.HeadCount));
        writer.AddMetadata("llama.attention.head_count_kv", GgufValue.UInt32((uint)spec.HeadCountKv));
        writer.AddMetadata("llama.rope.dimension_count", GgufValue.UInt32((uint)spec.HeadDimension));
        writer.AddMetadata("llama.rope.freq_base", GgufValue.Float32(spec.RopeFreqBase));
        writer.AddMetadata("llama.attention.layer_norm_rms_epsilon", GgufValue.Float32(spec.RmsEpsilon));
        foreach (var (key, value) in tokenizerKeys)
        {
            writer.AddMetadata(key, value);
        }
    }

    private static void WriteTensor(GgufWriter writer, PlannedTensor tensor, int tensorIndex, LlamaModelSpec spec, byte[] slab)
    {
        var rowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, tensor.Columns);
        var rowsPerSlab = (int)Math.Max(1, Math.Min(tensor.Rows, slab.Length / rowBytes));

        var columns = (int)tensor.Columns;
        for (long first = 0; first < tensor.Rows; first += rowsPerSlab)
        {
            var count = (int)Math.Min(rowsPerSlab, tensor.Rows - first);
            var firstRow = first;
            Parallel.For(0, count, () => new float[columns], (r, _, values) =>
            {
                var row = firstRow + r;
                if (tensor.Ones)
                {
                    values.AsSpan().Fill(1f);
                }
                else
                {
                    var rng = new SplitMix64(SplitMix64.Mix(spec.Seed, (ulong)tensorIndex, (ulong)row));
                    rng.FillNormal(values, spec.InitStd);
                }

                Quantizer.EncodeRow(tensor.Type, values, slab.AsSpan(r * rowBytes, rowBytes));
                return values;
            }, _ => { });
            writer.WriteTensorData(slab.AsSpan(0, count * rowBytes), last: first + count == tensor.Rows);
        }
    }
}

/// <summary>SplitMix64: a small, fast generator; each tensor row gets its own stream so output does not depend on threading.</summary>
internal struct SplitMix64(ulong state)
{
    private ulong _state = state;

    public static ulong Mix(ulong a, ulong b, ulong c)
    {
        var hash = new SplitMix64(a ^ 0x6A09E667F3BCC909UL).Next();
        hash = new SplitMix64(hash ^ (b * 0x9E3779B97F4A7C15UL)).Next();
        return new SplitMix64(hash ^ (c * 0xBF58476D1CE4E5B9UL)).Next();
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Box-Muller: two normals per 64 random bits (24 bits per uniform).</summary>
    public void FillNormal(Span<float> values, float std)
    {
        const float Scale = 1f / (1 << 24);
        for (var i = 0; i < values.Length; i += 2)
        {
            var bits = Next();
            var u1 = ((bits >> 40) + 1) * Scale; // (0, 1]
            var u2 = (bits & 0xFFFFFF) * Scale;  // [0, 1)
            var radius = std * MathF.Sqrt(-2f * MathF.Log(u1));
            var (sin, cos) = MathF.SinCos(2f * MathF.PI * u2);
            values[i] = radius * cos;
            if (i + 1 < values.Length)
            {
                values[i + 1] = radius * sin;
            }
        }
    }
}
