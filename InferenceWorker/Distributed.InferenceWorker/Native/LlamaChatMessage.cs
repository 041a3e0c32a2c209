using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary><c>struct llama_chat_message</c>: two UTF-8 C strings.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaChatMessage
{
    public IntPtr Role;
    public IntPtr Content;
}
