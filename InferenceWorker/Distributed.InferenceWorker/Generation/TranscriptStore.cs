using System.Collections.Concurrent;

namespace Distributed.InferenceWorker.Generation;

/// <summary>
/// The last <see cref="Transcript"/> of each conversation (by cache key) of one model: written by the decode loop
/// when a turn ends, read when the next turn's prompt is tokenized. Bounded: past <see cref="Capacity"/> the
/// oldest are forgotten (a forgotten transcript only means a fresh tokenization).
/// </summary>
public sealed class TranscriptStore(int capacity = 4096)
{
    private readonly ConcurrentDictionary<string, (Transcript Transcript, long Stamp)> _byKey = new(StringComparer.Ordinal);
    private long _clock;

    public int Capacity { get; } = Math.Max(1, capacity);

    public int Count => _byKey.Count;

    public Transcript? Find(string? cacheKey) =>
        cacheKey is not null && _byKey.TryGetValue(cacheKey, out var entry) ? entry.Transcript : null;

    public void Set(string cacheKey, Transcript transcript)
    {
        _byKey[cacheKey] = (transcript, Interlocked.Increment(ref _clock));
        if (_byKey.Count > Capacity)
        {
            // Rare: drop the oldest tenth at once rather than scanning on every turn.
            foreach (var old in _byKey.OrderBy(e => e.Value.Stamp).Take(Math.Max(1, Capacity / 10)).ToArray())
            {
                _byKey.TryRemove(old);
            }
        }
    }

    public void Remove(string cacheKey) => _byKey.TryRemove(cacheKey, out _);
}
