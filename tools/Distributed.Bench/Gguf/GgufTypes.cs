namespace Distributed.Bench.Gguf;

/// <summary>Type tags of GGUF metadata values (gguf.md, "gguf_metadata_value_type").</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>Tensor element types (ggml_type); only the common ones are named.</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    BF16 = 30,
}

/// <summary>Block geometry of ggml tensor types: elements per block and bytes per block.</summary>
public static class GgmlTypeInfo
{
    /// <summary>Returns (elements per block, bytes per block), or null for a type this tool does not know.</summary>
    public static (int BlockSize, int TypeSize)? Geometry(GgmlType type) => type switch
    {
        GgmlType.F32 => (1, 4),
        GgmlType.F16 => (1, 2),
        GgmlType.BF16 => (1, 2),
        GgmlType.Q4_0 => (32, 18),
        GgmlType.Q4_1 => (32, 20),
        GgmlType.Q5_0 => (32, 22),
        GgmlType.Q5_1 => (32, 24),
        GgmlType.Q8_0 => (32, 34),
        GgmlType.Q8_1 => (32, 36),
        GgmlType.Q2_K => (256, 84),
        GgmlType.Q3_K => (256, 110),
        GgmlType.Q4_K => (256, 144),
        GgmlType.Q5_K => (256, 176),
        GgmlType.Q6_K => (256, 210),
        GgmlType.Q8_K => (256, 292),
        _ => null,
    };

    /// <summary>Bytes of one row of <paramref name="elements"/> values; the count must be a whole number of blocks.</summary>
    public static long RowBytes(GgmlType type, long elements)
    {
        var geometry = Geometry(type) ?? throw new NotSupportedException($"Unknown ggml type {type}.");
        if (elements % geometry.BlockSize != 0)
        {
            throw new ArgumentException($"{elements} elements is not a whole number of {type} blocks ({geometry.BlockSize}).", nameof(elements));
        }

        return elements / geometry.BlockSize * geometry.TypeSize;
    }
}

/// <summary>A metadata array: its element type and its items (string[], float[], int[], ... by element type).</summary>
public sealed record GgufArray(GgufValueType ElementType, Array Items)
{
    public int Count => Items.Length;
}

/// <summary>A typed GGUF metadata value. <see cref="Value"/> is the CLR value matching <see cref="Type"/>
/// (byte, sbyte, ushort, short, uint, int, float, bool, string, <see cref="GgufArray"/>, ulong, long, double).</summary>
public sealed record GgufValue(GgufValueType Type, object Value)
{
    public static GgufValue String(string value) => new(GgufValueType.String, value);

    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);

    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);

    public override string ToString() => Value switch
    {
        GgufArray array => $"[{array.ElementType} x {array.Count}]",
        string text => text.Length > 80 ? $"\"{text[..77]}...\"" : $"\"{text}\"",
        _ => Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

/// <summary>One tensor's header entry. <see cref="Dimensions"/> are ggml's ne[]: ne[0] is the row length.</summary>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, GgmlType Type, ulong Offset)
{
    public long ElementCount => Dimensions.Aggregate(1L, (product, dimension) => product * dimension);

    /// <summary>Bytes of the tensor's data, or null when its type is unknown to this tool.</summary>
    public long? ByteSize => GgmlTypeInfo.Geometry(Type) is null
        ? null
        : GgmlTypeInfo.RowBytes(Type, Dimensions[0]) * (ElementCount / Math.Max(1, Dimensions[0]));
}
