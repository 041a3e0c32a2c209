using System.Runtime.InteropServices;
using Distributed.InferenceWorker.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.InferenceWorker.Tests.Native;

/// <summary>The structs must match llama.h of node-llama-cpp 3.22.1 byte for byte (offsets measured with C offsetof).</summary>
public class NativeLayoutTests
{
    [TestCase(nameof(LlamaModelParams.Devices), 0)]
    [TestCase(nameof(LlamaModelParams.TensorBuftOverrides), 8)]
    [TestCase(nameof(LlamaModelParams.NGpuLayers), 16)]
    [TestCase(nameof(LlamaModelParams.SplitMode), 20)]
    [TestCase(nameof(LlamaModelParams.LoadMode), 24)]
    [TestCase(nameof(LlamaModelParams.LazyMode), 28)]
    [TestCase(nameof(LlamaModelParams.MainGpu), 32)]
    [TestCase(nameof(LlamaModelParams.TensorSplit), 40)]
    [TestCase(nameof(LlamaModelParams.ProgressCallback), 48)]
    [TestCase(nameof(LlamaModelParams.ProgressCallbackUserData), 56)]
    [TestCase(nameof(LlamaModelParams.KvOverrides), 64)]
    [TestCase(nameof(LlamaModelParams.VocabOnly), 72)]
    [TestCase(nameof(LlamaModelParams.CheckTensors), 73)]
    [TestCase(nameof(LlamaModelParams.UseExtraBufts), 74)]
    [TestCase(nameof(LlamaModelParams.NoHost), 75)]
    [TestCase(nameof(LlamaModelParams.NoAlloc), 76)]
    [TestCase(nameof(LlamaModelParams.LoadMtp), 77)]
    public void ModelParams_Field_HasCOffset(string field, int offset) =>
        Assert.That((int)Marshal.OffsetOf<LlamaModelParams>(field), Is.EqualTo(offset));

    [TestCase(nameof(LlamaContextParams.NCtx), 0)]
    [TestCase(nameof(LlamaContextParams.NBatch), 4)]
    [TestCase(nameof(LlamaContextParams.NUbatch), 8)]
    [TestCase(nameof(LlamaContextParams.NSeqMax), 12)]
    [TestCase(nameof(LlamaContextParams.NRsSeq), 16)]
    [TestCase(nameof(LlamaContextParams.NOutputsMax), 20)]
    [TestCase(nameof(LlamaContextParams.NOutputsMaxPerSeq), 24)]
    [TestCase(nameof(LlamaContextParams.NThreads), 28)]
    [TestCase(nameof(LlamaContextParams.NThreadsBatch), 32)]
    [TestCase(nameof(LlamaContextParams.CtxType), 36)]
    [TestCase(nameof(LlamaContextParams.RopeScalingType), 40)]
    [TestCase(nameof(LlamaContextParams.PoolingType), 44)]
    [TestCase(nameof(LlamaContextParams.AttentionType), 48)]
    [TestCase(nameof(LlamaContextParams.FlashAttnType), 52)]
    [TestCase(nameof(LlamaContextParams.RopeFreqBase), 56)]
    [TestCase(nameof(LlamaContextParams.RopeFreqScale), 60)]
    [TestCase(nameof(LlamaContextParams.YarnExtFactor), 64)]
    [TestCase(nameof(LlamaContextParams.YarnAttnFactor), 68)]
    [TestCase(nameof(LlamaContextParams.YarnBetaFast), 72)]
    [TestCase(nameof(LlamaContextParams.YarnBetaSlow), 76)]
    [TestCase(nameof(LlamaContextParams.YarnOrigCtx), 80)]
    [TestCase(nameof(LlamaContextParams.DefragThold), 84)]
    [TestCase(nameof(LlamaContextParams.CbEval), 88)]
    [TestCase(nameof(LlamaContextParams.CbEvalUserData), 96)]
    [TestCase(nameof(LlamaContextParams.TypeK), 104)]
    [TestCase(nameof(LlamaContextParams.TypeV), 108)]
    [TestCase(nameof(LlamaContextParams.AbortCallback), 112)]
    [TestCase(nameof(LlamaContextParams.AbortCallbackData), 120)]
    [TestCase(nameof(LlamaContextParams.Embeddings), 128)]
    [TestCase(nameof(LlamaContextParams.OffloadKqv), 129)]
    [TestCase(nameof(LlamaContextParams.NoPerf), 130)]
    [TestCase(nameof(LlamaContextParams.OpOffload), 131)]
    [TestCase(nameof(LlamaContextParams.SwaFull), 132)]
    [TestCase(nameof(LlamaContextParams.KvUnified), 133)]
    [TestCase(nameof(LlamaContextParams.Samplers), 136)]
    [TestCase(nameof(LlamaContextParams.NSamplers), 144)]
    [TestCase(nameof(LlamaContextParams.CtxOther), 152)]
    public void ContextParams_Field_HasCOffset(string field, int offset) =>
        Assert.That((int)Marshal.OffsetOf<LlamaContextParams>(field), Is.EqualTo(offset));

    [TestCase(nameof(LlamaBatch.NTokens), 0)]
    [TestCase(nameof(LlamaBatch.Token), 8)]
    [TestCase(nameof(LlamaBatch.Embd), 16)]
    [TestCase(nameof(LlamaBatch.Pos), 24)]
    [TestCase(nameof(LlamaBatch.NSeqId), 32)]
    [TestCase(nameof(LlamaBatch.SeqId), 40)]
    [TestCase(nameof(LlamaBatch.Logits), 48)]
    public void Batch_Field_HasCOffset(string field, int offset) =>
        Assert.That((int)Marshal.OffsetOf<LlamaBatch>(field), Is.EqualTo(offset));

    [Test]
    public void Structs_Sizes_MatchLlamaHeader()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Marshal.SizeOf<LlamaModelParams>(), Is.EqualTo(80));
            Assert.That(Marshal.SizeOf<LlamaContextParams>(), Is.EqualTo(160));
            Assert.That(Marshal.SizeOf<LlamaBatch>(), Is.EqualTo(56));
            Assert.That(Marshal.SizeOf<LlamaSamplerChainParams>(), Is.EqualTo(1));
            Assert.That(Marshal.SizeOf<LlamaChatMessage>(), Is.EqualTo(16));
        });
    }

    [Test]
    public void DefaultParams_FromNative_HaveLlamaDefaults()
    {
        LlamaLibrary.Initialize(TestPaths.NativeDirectory, NullLogger.Instance);
        var model = NativeMethods.llama_model_default_params();
        var context = NativeMethods.llama_context_default_params();
        Assert.Multiple(() =>
        {
            // Values from llama.cpp's defaults: they only line up when every field before them is at the right offset.
            Assert.That(model.NGpuLayers, Is.EqualTo(-1));
            Assert.That(model.UseExtraBufts, Is.EqualTo(1));
            Assert.That(model.VocabOnly, Is.EqualTo(0));
            Assert.That(context.NBatch, Is.EqualTo(2048));
            Assert.That(context.NSeqMax, Is.EqualTo(1));
            Assert.That(context.NThreads, Is.EqualTo(4));
            Assert.That(context.TypeK, Is.EqualTo(1), "GGML_TYPE_F16");
            Assert.That(context.OffloadKqv, Is.EqualTo(1));
            Assert.That(context.KvUnified, Is.EqualTo(0));
        });
    }

    [Test]
    public void Version_OfLoadedLibrary_IsPinnedRelease()
    {
        LlamaLibrary.Initialize(TestPaths.NativeDirectory, NullLogger.Instance);
        Assert.That(LlamaLibrary.Version, Does.StartWith("0.5.0"));
        Assert.That(LlamaLibrary.Devices, Has.Some.StartWith("CPU"));
    }
}
