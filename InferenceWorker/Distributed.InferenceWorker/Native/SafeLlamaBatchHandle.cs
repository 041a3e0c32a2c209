using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>Owns the arrays of a <c>llama_batch</c> made by <c>llama_batch_init</c>; capacity is fixed at creation.</summary>
public sealed unsafe class SafeLlamaBatchHandle : SafeHandle
{
    private LlamaBatch _batch;

    private SafeLlamaBatchHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public int Capacity { get; private set; }

    public int Count => _batch.NTokens;

    public LlamaBatch Value => _batch;

    public static SafeLlamaBatchHandle Create(int capacity, int maxSequencesPerToken = 1)
    {
        var batch = NativeMethods.llama_batch_init(capacity, 0, maxSequencesPerToken);
        var handle = new SafeLlamaBatchHandle { _batch = batch, Capacity = capacity };
        handle.SetHandle((IntPtr)batch.Token);
        return handle;
    }

    public void Clear() => _batch.NTokens = 0;

    /// <summary>Appends one token; the caller keeps the count within <see cref="Capacity"/>, since an oversized batch aborts the process.</summary>
    public int Add(int token, int position, int sequence, bool wantLogits)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        var i = _batch.NTokens;
        if (i >= Capacity)
        {
            throw new InvalidOperationException($"The batch is full ({Capacity} tokens).");
        }

        _batch.Token[i] = token;
        _batch.Pos[i] = position;
        _batch.NSeqId[i] = 1;
        _batch.SeqId[i][0] = sequence;
        _batch.Logits[i] = wantLogits ? (sbyte)1 : (sbyte)0;
        _batch.NTokens = i + 1;
        return i;
    }

    /// <summary>The sequence id of the token at <paramref name="index"/> (what the batch layout is checked by).</summary>
    public int SequenceAt(int index)
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_batch.NTokens, nameof(index));
        return _batch.SeqId[index][0];
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_batch_free(_batch);
        _batch = default;
        return true;
    }
}
