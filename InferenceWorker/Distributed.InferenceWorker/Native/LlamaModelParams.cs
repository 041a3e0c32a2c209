using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary><c>struct llama_model_params</c> of llama.cpp 0.5.0 (node-llama-cpp 3.22.1); 80 bytes, checked by tests.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaModelParams
{
    public IntPtr Devices;
    public IntPtr TensorBuftOverrides;
    public int NGpuLayers;
    public int SplitMode;
    public int LoadMode;
    public int LazyMode;
    public int MainGpu;
    public IntPtr TensorSplit;
    public IntPtr ProgressCallback;
    public IntPtr ProgressCallbackUserData;
    public IntPtr KvOverrides;

    // C bool is one byte inside structs.
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}
