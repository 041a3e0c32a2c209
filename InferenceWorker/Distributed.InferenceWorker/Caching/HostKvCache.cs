using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Caching;

/// <summary>
/// The host-memory KV tier: when a finished conversation's sequence slot goes to another request, its KV state is
/// saved here (least recently used first out, within <c>Worker:HostCacheBytes</c>) and the conversation's next turn
/// restores it instead of prefilling it again. An entry is found only by its own model and cache key, and is used
/// only when its tokens are a prefix of the new prompt (the engine verifies), never by another conversation.
/// </summary>
public sealed class HostKvCache : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Model, string Key), LinkedListNode<HostKvEntry>> _entries = [];
    private readonly LinkedList<HostKvEntry> _recent = new();
    private long _bytes;
    private long _hits;
    private long _misses;
    private long _saves;
    private long _evictions;
    private double _saveMs;
    private double _restoreMs;
    private readonly SpareBuffers _spares = new(MaxSpares);

    public HostKvCache(long budgetBytes) => BudgetBytes = Math.Max(0, budgetBytes);

    /// <summary>Buffers of restored or evicted states kept for the next saves (about one per sequence slot).</summary>
    internal const int MaxSpares = 4;

    /// <summary>A buffer for a state of <paramref name="size"/> bytes, a spare one when it fits.</summary>
    internal NativeBuffer RentBuffer(nuint size) => _spares.Rent(size);

    /// <summary>An entry that was restored (or not stored): its buffer serves a later save.</summary>
    internal void Recycle(HostKvEntry entry) => _spares.Return(entry.State);

    public long BudgetBytes { get; }

    public bool Enabled => BudgetBytes > 0;

    public HostKvCacheStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new HostKvCacheStats(_bytes, BudgetBytes, _entries.Count, _hits, _misses, _saves, _evictions, _saveMs, _restoreMs);
            }
        }
    }

    /// <summary>Stores an entry (replacing the key's older one), evicting the least recently used; false when it alone exceeds the budget.</summary>
    internal bool Put(HostKvEntry entry, double saveMs)
    {
        var evicted = new List<HostKvEntry>();
        lock (_gate)
        {
            if (entry.Bytes > BudgetBytes)
            {
                return false;
            }

            if (_entries.Remove((entry.Model, entry.CacheKey), out var old))
            {
                Unlink(old);
                evicted.Add(old.Value);
            }

            while (_bytes + entry.Bytes > BudgetBytes && _recent.Last is { } last)
            {
                _entries.Remove((last.Value.Model, last.Value.CacheKey));
                Unlink(last);
                evicted.Add(last.Value);
                _evictions++;
            }

            _entries[(entry.Model, entry.CacheKey)] = _recent.AddFirst(entry);
            _bytes += entry.Bytes;
            _saves++;
            _saveMs += saveMs;
        }

        foreach (var gone in evicted)
        {
            Recycle(gone);
        }

        return true;
    }

    /// <summary>The key's entry without removing it (to compare its tokens with a prompt), or null.</summary>
    internal HostKvEntry? Peek(string model, string cacheKey)
    {
        lock (_gate)
        {
            return _entries.TryGetValue((model, cacheKey), out var node) ? node.Value : null;
        }
    }

    /// <summary>Removes the key's entry and hands it to the caller, who restores it into a slot and disposes it.</summary>
    internal HostKvEntry? Take(string model, string cacheKey)
    {
        lock (_gate)
        {
            if (!_entries.Remove((model, cacheKey), out var node))
            {
                return null;
            }

            Unlink(node);
            return node.Value;
        }
    }

    internal void CountHit(double restoreMs)
    {
        lock (_gate)
        {
            _hits++;
            _restoreMs += restoreMs;
        }
    }

    internal void CountMiss()
    {
        lock (_gate)
        {
            _misses++;
        }
    }

    /// <summary>Drops a key's entry (its conversation moved on in a way the entry no longer matches).</summary>
    internal void Remove(string model, string cacheKey) => Take(model, cacheKey)?.Dispose();

    /// <summary>Drops every entry of a model that is being unloaded: its states fit no other context.</summary>
    public void RemoveModel(string model)
    {
        List<HostKvEntry> gone;
        lock (_gate)
        {
            gone = [.. _recent.Where(e => e.Model == model)];
            foreach (var entry in gone)
            {
                Unlink(_entries[(entry.Model, entry.CacheKey)]);
                _entries.Remove((entry.Model, entry.CacheKey));
            }
        }

        foreach (var entry in gone)
        {
            entry.Dispose();
        }
    }

    public void Dispose()
    {
        _spares.Dispose();
        lock (_gate)
        {
            foreach (var entry in _recent)
            {
                entry.Dispose();
            }

            _recent.Clear();
            _entries.Clear();
            _bytes = 0;
        }
    }

    private void Unlink(LinkedListNode<HostKvEntry> node)
    {
        _recent.Remove(node);
        _bytes -= node.Value.Bytes;
    }
}
