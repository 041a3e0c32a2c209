using System.Text;

namespace Distributed.Bench.Gguf;

/// <summary>
/// Writes a GGUF v3 file in one forward pass: header, metadata, tensor table, then each tensor's data in table
/// order. Tensor offsets are computed from the declared types and shapes, so the data can be streamed.
/// </summary>
public sealed class GgufWriter : IDisposable
{
    public const uint Version = 3;

    private readonly Stream _stream;
    private readonly BinaryWriter _writer;
    private readonly uint _alignment;
    private readonly List<(string Name, long[] Dimensions, GgmlType Type, long Bytes, long Offset)> _tensors = [];
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private long _dataStart = -1;
    private int _nextTensor;

    public GgufWriter(Stream stream, uint alignment = 32)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), "Alignment must be a power of two.");
        }

        _stream = stream;
        _writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        _alignment = alignment;
    }

    public uint Alignment => _alignment;

    public void AddMetadata(string key, GgufValue value)
    {
        EnsureHeaderNotWritten();
        _metadata.Add(new(key, value));
    }

    /// <summary>Declares a tensor; data must later be written with <see cref="WriteTensorData"/> in declaration order.</summary>
    public void AddTensor(string name, long[] dimensions, GgmlType type)
    {
        EnsureHeaderNotWritten();
        long rows = 1;
        for (var i = 1; i < dimensions.Length; i++)
        {
            rows *= dimensions[i];
        }

        var bytes = GgmlTypeInfo.RowBytes(type, dimensions[0]) * rows;
        var offset = _tensors.Count == 0 ? 0 : AlignUp(_tensors[^1].Offset + _tensors[^1].Bytes);
        _tensors.Add((name, dimensions, type, bytes, offset));
    }

    /// <summary>Size of the tensor data section, padding included.</summary>
    public long ExpectedDataBytes => _tensors.Count == 0 ? 0 : AlignUp(_tensors[^1].Offset + _tensors[^1].Bytes);

    public void WriteHeader()
    {
        EnsureHeaderNotWritten();
        _writer.Write(GgufReader.Magic);
        _writer.Write(Version);
        _writer.Write((ulong)_tensors.Count);
        _writer.Write((ulong)_metadata.Count);
        foreach (var (key, value) in _metadata)
        {
            WriteString(key);
            _writer.Write((uint)value.Type);
            WriteValue(value.Type, value.Value);
        }

        foreach (var tensor in _tensors)
        {
            WriteString(tensor.Name);
            _writer.Write((uint)tensor.Dimensions.Length);
            foreach (var dimension in tensor.Dimensions)
            {
                _writer.Write((ulong)dimension);
            }

            _writer.Write((uint)tensor.Type);
            _writer.Write((ulong)tensor.Offset);
        }

        _writer.Flush();
        Pad();
        _dataStart = _stream.Position;
    }

    /// <summary>Appends a chunk of the next tensor's data; pass <paramref name="last"/> with the chunk that completes
    /// it (its size is checked, then the padding to the alignment is written).</summary>
    public void WriteTensorData(ReadOnlySpan<byte> data, bool last)
    {
        if (_dataStart < 0)
        {
            throw new InvalidOperationException("Write the header first.");
        }

        if (_nextTensor >= _tensors.Count)
        {
            throw new InvalidOperationException("All declared tensors are already written.");
        }

        _stream.Write(data);
        if (!last)
        {
            return;
        }

        var tensor = _tensors[_nextTensor];
        var written = _stream.Position - _dataStart - tensor.Offset;
        if (written != tensor.Bytes)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}': wrote {written} bytes, expected {tensor.Bytes}.");
        }

        Pad();
        _nextTensor++;
    }

    public void Finish()
    {
        if (_nextTensor != _tensors.Count)
        {
            throw new InvalidOperationException($"Only {_nextTensor} of {_tensors.Count} tensors were written.");
        }

        _stream.Flush();
    }

    public void Dispose() => _writer.Dispose();

    private long AlignUp(long value) => (value + _alignment - 1) / _alignment * _alignment;

    private void Pad()
    {
        var position = _stream.Position;
        var padding = (int)(AlignUp(position) - position);
        Span<byte> zeros = stackalloc byte[padding];
        zeros.Clear();
        _stream.Write(zeros);
    }

    private void EnsureHeaderNotWritten()
    {
        if (_dataStart >= 0)
        {
            throw new InvalidOperationException("The header is already written.");
        }
    }

    private void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        _writer.Write((ulong)bytes.Length);
        _writer.Write(bytes);
    }

    private void WriteValue(GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: _writer.Write((byte)value); break;
            case GgufValueType.Int8: _writer.Write((sbyte)value); break;
            case GgufValueType.UInt16: _writer.Write((ushort)value); break;
            case GgufValueType.Int16: _writer.Write((short)value); break;
            case GgufValueType.UInt32: _writer.Write((uint)value); break;
            case GgufValueType.Int32: _writer.Write((int)value); break;
            case GgufValueType.Float32: _writer.Write((float)value); break;
            case GgufValueType.Bool: _writer.Write((bool)value ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString((string)value); break;
            case GgufValueType.UInt64: _writer.Write((ulong)value); break;
            case GgufValueType.Int64: _writer.Write((long)value); break;
            case GgufValueType.Float64: _writer.Write((double)value); break;
            case GgufValueType.Array:
                var array = (GgufArray)value;
                _writer.Write((uint)array.ElementType);
                _writer.Write((ulong)array.Count);
                foreach (var item in array.Items)
                {
                    WriteValue(array.ElementType, item!);
                }

                break;
            default:
                throw new NotSupportedException($"Metadata value type {type}.");
        }
    }
}
