namespace Distributed.Bench.Gguf;

/// <summary>Statistics of one tensor's decoded values.</summary>
public sealed record TensorStats(GgufTensorInfo Tensor, long Count, double Mean, double Std, float Min, float Max, long NonFinite);

/// <summary>Decodes the data of every tensor whose type <see cref="Quantizer"/> reads, to check it for NaN/inf.</summary>
public static class TensorCheck
{
    public static bool CanDecode(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.Q8_0 or GgmlType.Q4_K;

    public static IEnumerable<TensorStats> Scan(string path, GgufFile file)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        foreach (var tensor in file.Tensors.Where(t => CanDecode(t.Type)))
        {
            var columns = (int)tensor.Dimensions[0];
            var rows = tensor.ElementCount / columns;
            var rowBytes = (int)GgmlTypeInfo.RowBytes(tensor.Type, columns);
            var buffer = new byte[rowBytes];
            var values = new float[columns];
            stream.Position = file.DataOffset + (long)tensor.Offset;
            double sum = 0, sumSquares = 0;
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            long nonFinite = 0;
            for (long row = 0; row < rows; row++)
            {
                stream.ReadExactly(buffer);
                Quantizer.DecodeRow(tensor.Type, buffer, values);
                foreach (var value in values)
                {
                    if (!float.IsFinite(value))
                    {
                        nonFinite++;
                        continue;
                    }

                    sum += value;
                    sumSquares += (double)value * value;
                    min = MathF.Min(min, value);
                    max = MathF.Max(max, value);
                }
            }

            var count = tensor.ElementCount - nonFinite;
            var mean = count > 0 ? sum / count : 0;
            var std = count > 0 ? Math.Sqrt(Math.Max(0, sumSquares / count - mean * mean)) : 0;
            yield return new TensorStats(tensor, tensor.ElementCount, mean, std, min, max, nonFinite);
        }
    }
}
