using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary><c>struct llama_context_params</c> of llama.cpp 0.5.0; 160 bytes, checked by tests.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaContextParams
{
    public uint NCtx;
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;
    public int CtxType;
    public int RopeScalingType;
    public int PoolingType;
    public int AttentionType;
    public int FlashAttnType;
    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;
    public IntPtr CbEval;
    public IntPtr CbEvalUserData;
    public int TypeK;
    public int TypeV;
    public IntPtr AbortCallback;
    public IntPtr AbortCallbackData;

    public byte Embeddings;
    public byte OffloadKqv;
    public byte NoPerf;
    public byte OpOffload;
    public byte SwaFull;
    public byte KvUnified;

    public IntPtr Samplers;
    public nuint NSamplers;
    public IntPtr CtxOther;
}
