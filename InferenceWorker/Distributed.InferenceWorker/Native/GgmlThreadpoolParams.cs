using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary><c>struct ggml_threadpool_params</c>: 512 cpumask bools, then the scalars; 528 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct GgmlThreadpoolParams
{
    public fixed byte CpuMask[512];
    public int NThreads;
    public int Priority;
    /// <summary>0: worker threads sleep between graphs; 100: they spin (steals CPU from the server's own threads).</summary>
    public uint Poll;
    public byte StrictCpu;
    public byte Paused;
}
