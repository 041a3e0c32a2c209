using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Caching;

/// <summary>
/// A few buffers of saved states that were restored or evicted, kept for the next save. A fresh allocation of tens of
/// megabytes is fresh pages that fault on first touch: measured 21 ms per save of a ~1,000-token state against 4 ms per
/// restore into memory already mapped, both on the decode thread. New buffers get headroom so the same conversation's
/// next, slightly longer state fits the buffer its last one left.
/// </summary>
internal sealed class SpareBuffers(int maxSpares) : IDisposable
{
    private const ulong Alignment = 1 << 20;
    private readonly Lock _gate = new();
    private readonly List<NativeBuffer> _spares = [];

    /// <summary>Bytes held by spares (not by entries).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _spares.Sum(b => (long)b.Length);
            }
        }
    }

    /// <summary>The smallest spare that holds <paramref name="size"/> bytes without wasting more than its size again, or a new one.</summary>
    public NativeBuffer Rent(nuint size)
    {
        lock (_gate)
        {
            NativeBuffer? best = null;
            foreach (var spare in _spares)
            {
                if (spare.Length >= size && spare.Length <= 2 * size && (best is null || spare.Length < best.Length))
                {
                    best = spare;
                }
            }

            if (best is not null)
            {
                _spares.Remove(best);
                return best;
            }
        }

        var padded = ((ulong)size + (ulong)size / 4 + Alignment - 1) / Alignment * Alignment;
        return NativeBuffer.Allocate((nuint)padded);
    }

    /// <summary>Keeps <paramref name="buffer"/> for a later save; the smallest spare goes when there are too many.</summary>
    public void Return(NativeBuffer buffer)
    {
        NativeBuffer? dropped = null;
        lock (_gate)
        {
            _spares.Add(buffer);
            if (_spares.Count > maxSpares)
            {
                dropped = _spares.MinBy(b => b.Length);
                _spares.Remove(dropped!);
            }
        }

        dropped?.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var spare in _spares)
            {
                spare.Dispose();
            }

            _spares.Clear();
        }
    }
}
