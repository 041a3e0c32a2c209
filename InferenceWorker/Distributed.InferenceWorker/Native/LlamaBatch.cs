using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary><c>struct llama_batch</c>: passed by value to <c>llama_decode</c>; 56 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaBatch
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}
