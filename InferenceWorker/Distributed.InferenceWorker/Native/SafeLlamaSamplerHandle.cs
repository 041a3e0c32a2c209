using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>Owns a <c>llama_sampler*</c> chain; the chain frees the samplers added to it.</summary>
public sealed class SafeLlamaSamplerHandle : SafeHandle
{
    public SafeLlamaSamplerHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static SafeLlamaSamplerHandle CreateChain()
    {
        var pointer = NativeMethods.llama_sampler_chain_init(new LlamaSamplerChainParams { NoPerf = 1 });
        if (pointer == IntPtr.Zero)
        {
            throw new InvalidOperationException("llama_sampler_chain_init returned NULL.");
        }

        var chain = new SafeLlamaSamplerHandle();
        chain.SetHandle(pointer);
        return chain;
    }

    /// <summary>Adds a sampler to the chain, which takes ownership of it.</summary>
    public void Add(IntPtr sampler)
    {
        if (sampler == IntPtr.Zero)
        {
            throw new InvalidOperationException("A llama sampler could not be created.");
        }

        NativeMethods.llama_sampler_chain_add(this, sampler);
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_sampler_free(handle);
        return true;
    }
}
