using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>
/// Owns a ggml CPU threadpool. Its functions live in the CPU backend plug-in, so they are looked up through the
/// backend registry. Free it only after every context that uses it.
/// </summary>
public sealed unsafe class SafeGgmlThreadpoolHandle : SafeHandle
{
    private static delegate* unmanaged[Cdecl]<GgmlThreadpoolParams*, IntPtr> s_new;
    private static delegate* unmanaged[Cdecl]<IntPtr, void> s_free;

    private SafeGgmlThreadpoolHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>A pool of <paramref name="threads"/> threads with the given polling level; null if the CPU backend offers none.</summary>
    public static SafeGgmlThreadpoolHandle? Create(int threads, int poll, int priority = 0)
    {
        if (s_new == null)
        {
            var cpu = NativeMethods.ggml_backend_reg_by_name("CPU");
            if (cpu == IntPtr.Zero)
            {
                return null;
            }

            s_new = (delegate* unmanaged[Cdecl]<GgmlThreadpoolParams*, IntPtr>)NativeMethods.ggml_backend_reg_get_proc_address(cpu, "ggml_threadpool_new");
            s_free = (delegate* unmanaged[Cdecl]<IntPtr, void>)NativeMethods.ggml_backend_reg_get_proc_address(cpu, "ggml_threadpool_free");
            if (s_new == null || s_free == null)
            {
                return null;
            }
        }

        GgmlThreadpoolParams parameters;
        NativeMethods.ggml_threadpool_params_init(&parameters, threads);
        parameters.Poll = (uint)poll;
        parameters.Priority = priority;
        var pointer = s_new(&parameters);
        if (pointer == IntPtr.Zero)
        {
            return null;
        }

        var pool = new SafeGgmlThreadpoolHandle();
        pool.SetHandle(pointer);
        return pool;
    }

    protected override bool ReleaseHandle()
    {
        s_free(handle);
        return true;
    }
}
