using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Distributed.Bench.Gguf;

/// <summary>
/// Encodes rows of floats into ggml tensor formats. The quantizers are simple round-to-nearest ones: their output
/// is a valid block of the format (ggml-common.h layouts), not the error-minimising choice llama-quantize makes.
/// </summary>
public static class Quantizer
{
    public const int Q8_0BlockSize = 32;
    public const int Q8_0BlockBytes = 2 + Q8_0BlockSize;
    public const int QKBlockSize = 256;
    public const int Q4_KBlockBytes = 2 + 2 + 12 + QKBlockSize / 2;

    /// <summary>Encodes <paramref name="row"/> into <paramref name="destination"/>, which must be exactly one row's bytes.</summary>
    public static void EncodeRow(GgmlType type, ReadOnlySpan<float> row, Span<byte> destination)
    {
        if (destination.Length != GgmlTypeInfo.RowBytes(type, row.Length))
        {
            throw new ArgumentException("Destination is not one row of the type.", nameof(destination));
        }

        switch (type)
        {
            case GgmlType.F32:
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.AsBytes(row).CopyTo(destination);
                }
                else
                {
                    for (var i = 0; i < row.Length; i++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], row[i]);
                    }
                }

                break;
            case GgmlType.F16:
                for (var i = 0; i < row.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(destination[(2 * i)..], (Half)row[i]);
                }

                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < row.Length / Q8_0BlockSize; b++)
                {
                    EncodeQ8_0Block(row.Slice(b * Q8_0BlockSize, Q8_0BlockSize), destination.Slice(b * Q8_0BlockBytes, Q8_0BlockBytes));
                }

                break;
            case GgmlType.Q4_K:
                for (var b = 0; b < row.Length / QKBlockSize; b++)
                {
                    EncodeQ4_KBlock(row.Slice(b * QKBlockSize, QKBlockSize), destination.Slice(b * Q4_KBlockBytes, Q4_KBlockBytes));
                }

                break;
            default:
                throw new NotSupportedException($"Encoding {type} is not supported.");
        }
    }

    /// <summary>Decodes one row (for tests and checks).</summary>
    public static void DecodeRow(GgmlType type, ReadOnlySpan<byte> source, Span<float> row)
    {
        switch (type)
        {
            case GgmlType.F32:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }

                break;
            case GgmlType.F16:
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                }

                break;
            case GgmlType.Q8_0:
                for (var b = 0; b < row.Length / Q8_0BlockSize; b++)
                {
                    var block = source.Slice(b * Q8_0BlockBytes, Q8_0BlockBytes);
                    var d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
                    for (var i = 0; i < Q8_0BlockSize; i++)
                    {
                        row[b * Q8_0BlockSize + i] = d * (sbyte)block[2 + i];
                    }
                }

                break;
            case GgmlType.Q4_K:
                for (var b = 0; b < row.Length / QKBlockSize; b++)
                {
                    DecodeQ4_KBlock(source.Slice(b * Q4_KBlockBytes, Q4_KBlockBytes), row.Slice(b * QKBlockSize, QKBlockSize));
                }

                break;
            default:
                throw new NotSupportedException($"Decoding {type} is not supported.");
        }
    }

    /// <summary>Q8_0: fp16 scale d, then 32 signed bytes; x = d * q.</summary>
    private static void EncodeQ8_0Block(ReadOnlySpan<float> x, Span<byte> block)
    {
        var amax = 0f;
        foreach (var value in x)
        {
            amax = MathF.Max(amax, MathF.Abs(value));
        }

        var d = (Half)(amax / 127f);
        BinaryPrimitives.WriteHalfLittleEndian(block, d);
        var scale = (float)d;
        var inverse = scale > 0 ? 1f / scale : 0f;
        for (var i = 0; i < x.Length; i++)
        {
            block[2 + i] = (byte)(sbyte)Math.Clamp((int)MathF.Round(x[i] * inverse), -127, 127);
        }
    }

    /// <summary>
    /// Q4_K super-block of 256 values: fp16 d, fp16 dmin, 12 bytes holding eight 6-bit scales and eight 6-bit mins,
    /// then 128 bytes of 4-bit quants. Sub-block j (32 values) decodes as x = d*sc[j]*q - dmin*m[j]; the 64 values of
    /// chunk c share bytes qs[32c..32c+31]: low nibbles are sub-block 2c, high nibbles sub-block 2c+1.
    /// </summary>
    private static void EncodeQ4_KBlock(ReadOnlySpan<float> x, Span<byte> block)
    {
        Span<float> scales = stackalloc float[8];
        Span<float> mins = stackalloc float[8];
        float maxScale = 0f, maxMin = 0f;
        for (var j = 0; j < 8; j++)
        {
            var sub = x.Slice(32 * j, 32);
            float lo = float.MaxValue, hi = float.MinValue;
            foreach (var value in sub)
            {
                lo = MathF.Min(lo, value);
                hi = MathF.Max(hi, value);
            }

            // Mins are stored as non-negative offsets subtracted from d*sc*q, so only a negative minimum is kept.
            var offset = MathF.Max(0f, -lo);
            scales[j] = (hi + offset) / 15f;
            mins[j] = offset;
            maxScale = MathF.Max(maxScale, scales[j]);
            maxMin = MathF.Max(maxMin, mins[j]);
        }

        var d = (Half)(maxScale / 63f);
        var dmin = (Half)(maxMin / 63f);
        var dFloat = (float)d;
        var dminFloat = (float)dmin;

        Span<byte> sc = stackalloc byte[8];
        Span<byte> m = stackalloc byte[8];
        for (var j = 0; j < 8; j++)
        {
            sc[j] = dFloat > 0 ? (byte)Math.Clamp((int)MathF.Ceiling(scales[j] / dFloat), 0, 63) : (byte)0;
            m[j] = dminFloat > 0 ? (byte)Math.Clamp((int)MathF.Round(mins[j] / dminFloat), 0, 63) : (byte)0;
        }

        BinaryPrimitives.WriteHalfLittleEndian(block, d);
        BinaryPrimitives.WriteHalfLittleEndian(block[2..], dmin);
        var packed = block.Slice(4, 12);
        for (var j = 0; j < 4; j++)
        {
            packed[j] = (byte)((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
            packed[j + 4] = (byte)((m[j] & 63) | ((m[j + 4] >> 4) << 6));
            packed[j + 8] = (byte)((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
        }

        var qs = block.Slice(16, 128);
        for (var chunk = 0; chunk < 4; chunk++)
        {
            for (var l = 0; l < 32; l++)
            {
                var low = Quant4(x[64 * chunk + l], dFloat * sc[2 * chunk], dminFloat * m[2 * chunk]);
                var high = Quant4(x[64 * chunk + 32 + l], dFloat * sc[2 * chunk + 1], dminFloat * m[2 * chunk + 1]);
                qs[32 * chunk + l] = (byte)(low | (high << 4));
            }
        }
    }

    private static int Quant4(float value, float scale, float min) =>
        scale > 0 ? Math.Clamp((int)MathF.Round((value + min) / scale), 0, 15) : 0;

    private static void DecodeQ4_KBlock(ReadOnlySpan<byte> block, Span<float> y)
    {
        var d = (float)BinaryPrimitives.ReadHalfLittleEndian(block);
        var dmin = (float)BinaryPrimitives.ReadHalfLittleEndian(block[2..]);
        var packed = block.Slice(4, 12);
        var qs = block.Slice(16, 128);
        for (var j = 0; j < 8; j++)
        {
            int sc, m;
            if (j < 4)
            {
                sc = packed[j] & 63;
                m = packed[j + 4] & 63;
            }
            else
            {
                sc = (packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4);
                m = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
            }

            var chunk = j / 2;
            var shift = (j & 1) * 4;
            for (var l = 0; l < 32; l++)
            {
                var q = (qs[32 * chunk + l] >> shift) & 0xF;
                y[32 * j + l] = d * sc * q - dmin * m;
            }
        }
    }
}
