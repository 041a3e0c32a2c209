using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Caching;

/// <summary>
/// One conversation's saved sequence: its KV state as llama.cpp serialized it (the first <see cref="Length"/> bytes of
/// <see cref="State"/>, which may be larger), and the tokens that state holds.
/// </summary>
internal sealed class HostKvEntry(string model, string cacheKey, NativeBuffer state, nuint length, int[] tokens) : IDisposable
{
    public string Model { get; } = model;

    public string CacheKey { get; } = cacheKey;

    public NativeBuffer State { get; } = state;

    /// <summary>Bytes of <see cref="State"/> the state occupies.</summary>
    public nuint Length { get; } = length;

    public int[] Tokens { get; } = tokens;

    /// <summary>Host memory the entry holds (its whole buffer).</summary>
    public long Bytes => (long)State.Length;

    public void Dispose() => State.Dispose();
}
