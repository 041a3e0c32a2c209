using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>
/// Unmanaged memory for a saved sequence state: tens of megabytes each, kept off the managed heap so they never make
/// the GC pause the decode thread.
/// </summary>
internal sealed unsafe class NativeBuffer : SafeHandle
{
    private NativeBuffer(nuint length)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle((IntPtr)NativeMemory.Alloc(length));
        Length = length;
    }

    public nuint Length { get; }

    public byte* Pointer => (byte*)handle;

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static NativeBuffer Allocate(nuint length) => new(length);

    protected override bool ReleaseHandle()
    {
        NativeMemory.Free((void*)handle);
        return true;
    }
}
