using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Distributed.Gateway.Workers;

/// <summary>
/// Highest-random-weight (rendezvous) hashing: every gateway replica ranks the workers for a key the same way without
/// sharing state, and a worker that leaves moves only the keys it ranked first.
/// </summary>
public static class RendezvousHash
{
    /// <summary>The weight of <paramref name="node"/> for <paramref name="key"/>: the first 8 bytes of SHA-256(key, node).</summary>
    public static ulong Weight(string key, string node)
    {
        Span<byte> input = stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length + node.Length + 1)];
        var length = Encoding.UTF8.GetBytes(key, input);
        input[length++] = 0;
        length += Encoding.UTF8.GetBytes(node, input[length..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input[..length], hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }

    /// <summary>The nodes from the first choice for <paramref name="key"/> to the last.</summary>
    public static IEnumerable<T> Rank<T>(string key, IEnumerable<T> nodes, Func<T, string> name) =>
        nodes.OrderByDescending(n => Weight(key, name(n))).ThenBy(name, StringComparer.Ordinal);

    /// <summary>
    /// Weighted ranking: a node is the first choice for a share of the keys proportional to its weight (for example
    /// its sequence capacity), with the same stability (score = -weight / ln(u), u the key's hash mapped into (0, 1)).
    /// </summary>
    public static IEnumerable<T> Rank<T>(string key, IEnumerable<T> nodes, Func<T, string> name, Func<T, double> weight) =>
        nodes.OrderByDescending(n => Score(Weight(key, name(n)), Math.Max(weight(n), double.Epsilon))).ThenBy(name, StringComparer.Ordinal);

    private static double Score(ulong hash, double weight)
    {
        var unit = ((hash >> 11) + 0.5) / (1UL << 53);
        return -weight / Math.Log(unit);
    }
}
