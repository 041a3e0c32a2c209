using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>Owns a <c>llama_model*</c>; freeing it returns the weights' memory.</summary>
public sealed class SafeLlamaModelHandle : SafeHandle
{
    public SafeLlamaModelHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Loads a GGUF file; returns null (llama.cpp logs why) when the file cannot be loaded.</summary>
    public static SafeLlamaModelHandle? Load(string path, LlamaModelParams parameters)
    {
        var pointer = NativeMethods.llama_model_load_from_file(path, parameters);
        if (pointer == IntPtr.Zero)
        {
            return null;
        }

        var model = new SafeLlamaModelHandle();
        model.SetHandle(pointer);
        return model;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_model_free(handle);
        return true;
    }
}
