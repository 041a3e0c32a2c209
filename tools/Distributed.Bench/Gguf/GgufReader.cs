using System.Text;

namespace Distributed.Bench.Gguf;

/// <summary>The header of a GGUF file: metadata and tensor table (the tensor data is not read).</summary>
public sealed class GgufFile
{
    public required uint Version { get; init; }

    /// <summary>Metadata in file order.</summary>
    public required IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; init; }

    public required IReadOnlyList<GgufTensorInfo> Tensors { get; init; }

    public required uint Alignment { get; init; }

    /// <summary>Absolute file offset of the tensor data section (tensor offsets are relative to it).</summary>
    public required long DataOffset { get; init; }

    public GgufValue? Find(string key)
    {
        foreach (var pair in Metadata)
        {
            if (pair.Key == key)
            {
                return pair.Value;
            }
        }

        return null;
    }

    public long ParameterCount => Tensors.Sum(tensor => tensor.ElementCount);
}

/// <summary>Reads the header of a GGUF v2/v3 file (little-endian), as described in ggml's docs/gguf.md.</summary>
public static class GgufReader
{
    public const uint Magic = 0x46554747; // "GGUF"
    private const long MaxStringBytes = 16L * 1024 * 1024;
    private const long MaxCount = 1L << 28;

    public static GgufFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream);
    }

    public static GgufFile Read(Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadUInt32() != Magic)
        {
            throw new InvalidDataException("Not a GGUF file (bad magic).");
        }

        var version = reader.ReadUInt32();
        if (version is < 2 or > 3)
        {
            throw new InvalidDataException($"Unsupported GGUF version {version}.");
        }

        var tensorCount = CheckCount(reader.ReadUInt64());
        var metadataCount = CheckCount(reader.ReadUInt64());

        var metadata = new List<KeyValuePair<string, GgufValue>>((int)metadataCount);
        for (long i = 0; i < metadataCount; i++)
        {
            var key = ReadString(reader);
            var type = (GgufValueType)reader.ReadUInt32();
            metadata.Add(new(key, new GgufValue(type, ReadValue(reader, type))));
        }

        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        for (long i = 0; i < tensorCount; i++)
        {
            var name = ReadString(reader);
            var dimensionCount = reader.ReadUInt32();
            if (dimensionCount is 0 or > 4)
            {
                throw new InvalidDataException($"Tensor '{name}' has {dimensionCount} dimensions.");
            }

            var dimensions = new long[dimensionCount];
            for (var d = 0; d < dimensionCount; d++)
            {
                dimensions[d] = checked((long)reader.ReadUInt64());
            }

            var tensorType = (GgmlType)reader.ReadUInt32();
            var offset = reader.ReadUInt64();
            tensors.Add(new GgufTensorInfo(name, dimensions, tensorType, offset));
        }

        uint alignment = 32;
        foreach (var pair in metadata)
        {
            if (pair.Key == "general.alignment" && pair.Value.Value is uint value && value != 0)
            {
                alignment = value;
            }
        }

        var position = stream.Position;
        var dataOffset = (position + alignment - 1) / alignment * alignment;
        return new GgufFile
        {
            Version = version,
            Metadata = metadata,
            Tensors = tensors,
            Alignment = alignment,
            DataOffset = dataOffset,
        };
    }

    private static long CheckCount(ulong count) =>
        count > MaxCount ? throw new InvalidDataException($"Implausible count {count}.") : (long)count;

    private static string ReadString(BinaryReader reader)
    {
        var length = reader.ReadUInt64();
        if (length > MaxStringBytes)
        {
            throw new InvalidDataException($"Implausible string length {length}.");
        }

        var bytes = reader.ReadBytes((int)length);
        if (bytes.Length != (int)length)
        {
            throw new EndOfStreamException();
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private static object ReadValue(BinaryReader reader, GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => reader.ReadByte(),
        GgufValueType.Int8 => reader.ReadSByte(),
        GgufValueType.UInt16 => reader.ReadUInt16(),
        GgufValueType.Int16 => reader.ReadInt16(),
        GgufValueType.UInt32 => reader.ReadUInt32(),
        GgufValueType.Int32 => reader.ReadInt32(),
        GgufValueType.Float32 => reader.ReadSingle(),
        GgufValueType.Bool => reader.ReadByte() != 0,
        GgufValueType.String => ReadString(reader),
        GgufValueType.UInt64 => reader.ReadUInt64(),
        GgufValueType.Int64 => reader.ReadInt64(),
        GgufValueType.Float64 => reader.ReadDouble(),
        GgufValueType.Array => ReadArray(reader),
        _ => throw new InvalidDataException($"Unknown metadata value type {(uint)type}."),
    };

    private static GgufArray ReadArray(BinaryReader reader)
    {
        var elementType = (GgufValueType)reader.ReadUInt32();
        var count = (int)CheckCount(reader.ReadUInt64());
        Array items = elementType switch
        {
            GgufValueType.UInt8 => Fill(new byte[count], reader, static r => r.ReadByte()),
            GgufValueType.Int8 => Fill(new sbyte[count], reader, static r => r.ReadSByte()),
            GgufValueType.UInt16 => Fill(new ushort[count], reader, static r => r.ReadUInt16()),
            GgufValueType.Int16 => Fill(new short[count], reader, static r => r.ReadInt16()),
            GgufValueType.UInt32 => Fill(new uint[count], reader, static r => r.ReadUInt32()),
            GgufValueType.Int32 => Fill(new int[count], reader, static r => r.ReadInt32()),
            GgufValueType.Float32 => Fill(new float[count], reader, static r => r.ReadSingle()),
            GgufValueType.Bool => Fill(new bool[count], reader, static r => r.ReadByte() != 0),
            GgufValueType.String => Fill(new string[count], reader, ReadString),
            GgufValueType.UInt64 => Fill(new ulong[count], reader, static r => r.ReadUInt64()),
            GgufValueType.Int64 => Fill(new long[count], reader, static r => r.ReadInt64()),
            GgufValueType.Float64 => Fill(new double[count], reader, static r => r.ReadDouble()),
            GgufValueType.Array => Fill(new GgufArray[count], reader, ReadArray),
            _ => throw new InvalidDataException($"Unknown array element type {(uint)elementType}."),
        };
        return new GgufArray(elementType, items);
    }

    private static T[] Fill<T>(T[] items, BinaryReader reader, Func<BinaryReader, T> read)
    {
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = read(reader);
        }

        return items;
    }
}
