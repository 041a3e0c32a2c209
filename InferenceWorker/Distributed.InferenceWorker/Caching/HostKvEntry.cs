using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Caching;

/// <summary>One conversation's saved sequence: its KV state as llama.cpp serialized it, and the tokens that state holds.</summary>
internal sealed class HostKvEntry(string model, string cacheKey, NativeBuffer state, int[] tokens) : IDisposable
{
    public string Model { get; } = model;

    public string CacheKey { get; } = cacheKey;

    public NativeBuffer State { get; } = state;

    public int[] Tokens { get; } = tokens;

    public long Bytes => (long)State.Length;

    public void Dispose() => State.Dispose();
}
