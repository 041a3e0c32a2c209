using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>Owns a <c>llama_context*</c> and keeps its model alive until the context is freed.</summary>
public sealed class SafeLlamaContextHandle : SafeHandle
{
    private SafeLlamaModelHandle? _model;

    public SafeLlamaContextHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static SafeLlamaContextHandle? Create(SafeLlamaModelHandle model, LlamaContextParams parameters)
    {
        var added = false;
        model.DangerousAddRef(ref added);
        var pointer = NativeMethods.llama_init_from_model(model, parameters);
        if (pointer == IntPtr.Zero)
        {
            model.DangerousRelease();
            return null;
        }

        var context = new SafeLlamaContextHandle { _model = model };
        context.SetHandle(pointer);
        return context;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_free(handle);
        _model?.DangerousRelease();
        _model = null;
        return true;
    }
}
