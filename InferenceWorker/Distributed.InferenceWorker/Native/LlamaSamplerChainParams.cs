using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary><c>struct llama_sampler_chain_params</c>: one C bool, passed by value.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaSamplerChainParams
{
    public byte NoPerf;
}
