using System.Runtime.InteropServices;

namespace Distributed.InferenceWorker.Native;

/// <summary>The subset of llama.h / ggml-backend.h the worker calls. Library names are resolved by <see cref="LlamaLibrary"/>.</summary>
internal static unsafe partial class NativeMethods
{
    public const string Llama = "llama";
    public const string Ggml = "ggml";
    public const string GgmlBase = "ggml-base";

    // --- ggml backends ---
    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_load(string path);

    [LibraryImport(Ggml)]
    public static partial nuint ggml_backend_dev_count();

    [LibraryImport(Ggml)]
    public static partial IntPtr ggml_backend_dev_get(nuint index);

    [LibraryImport(Ggml)]
    public static partial IntPtr ggml_backend_dev_name(IntPtr device);

    [LibraryImport(Ggml)]
    public static partial IntPtr ggml_backend_dev_description(IntPtr device);

    [LibraryImport(Ggml)]
    public static partial int ggml_backend_dev_type(IntPtr device);

    [LibraryImport(Ggml)]
    public static partial void ggml_backend_dev_memory(IntPtr device, out nuint free, out nuint total);

    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_reg_by_name(string name);

    [LibraryImport(Ggml, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr reg, string name);

    [LibraryImport(GgmlBase)]
    public static partial void ggml_threadpool_params_init(GgmlThreadpoolParams* parameters, int threads);

    // --- llama: process ---
    [LibraryImport(Llama)]
    public static partial IntPtr llama_version();

    [LibraryImport(Llama)]
    public static partial IntPtr llama_print_system_info();

    [LibraryImport(Llama)]
    public static partial void llama_backend_init();

    [LibraryImport(Llama)]
    public static partial void llama_log_set(delegate* unmanaged[Cdecl]<int, IntPtr, IntPtr, void> callback, IntPtr userData);

    [LibraryImport(Llama)]
    public static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(Llama)]
    public static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(Llama)]
    public static partial nuint llama_max_parallel_sequences();

    // --- model ---
    [LibraryImport(Llama, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr llama_model_load_from_file(string path, LlamaModelParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_model_free(IntPtr model);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial int llama_model_n_embd(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial ulong llama_model_size(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_model_chat_template(SafeLlamaModelHandle model, IntPtr name);

    [LibraryImport(Llama)]
    public static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buf, nuint bufSize);

    // --- context ---
    [LibraryImport(Llama)]
    public static partial IntPtr llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_free(IntPtr context);

    [LibraryImport(Llama)]
    public static partial void llama_attach_threadpool(SafeLlamaContextHandle context, SafeGgmlThreadpoolHandle threadpool, SafeGgmlThreadpoolHandle threadpoolBatch);

    [LibraryImport(Llama)]
    public static partial void llama_detach_threadpool(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial uint llama_n_ctx(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial uint llama_n_ctx_seq(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial uint llama_n_batch(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial uint llama_n_seq_max(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_get_memory(SafeLlamaContextHandle context);

    [LibraryImport(Llama)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_memory_seq_rm(IntPtr memory, int seqId, int p0, int p1);

    [LibraryImport(Llama)]
    public static partial int llama_memory_seq_pos_max(IntPtr memory, int seqId);

    [LibraryImport(Llama)]
    public static partial int llama_decode(SafeLlamaContextHandle context, LlamaBatch batch);

    // --- per-sequence state (the host-memory KV tier) ---
    [LibraryImport(Llama)]
    public static partial nuint llama_state_seq_get_size(SafeLlamaContextHandle context, int seqId);

    [LibraryImport(Llama)]
    public static partial nuint llama_state_seq_get_data(SafeLlamaContextHandle context, byte* destination, nuint size, int seqId);

    [LibraryImport(Llama)]
    public static partial nuint llama_state_seq_set_data(SafeLlamaContextHandle context, byte* source, nuint size, int destinationSeqId);

    // --- batch ---
    [LibraryImport(Llama)]
    public static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);

    [LibraryImport(Llama)]
    public static partial void llama_batch_free(LlamaBatch batch);

    // --- vocabulary ---
    [LibraryImport(Llama)]
    public static partial int llama_vocab_n_tokens(IntPtr vocab);

    [LibraryImport(Llama)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_vocab_is_eog(IntPtr vocab, int token);

    [LibraryImport(Llama)]
    public static partial int llama_vocab_bos(IntPtr vocab);

    [LibraryImport(Llama)]
    [return: MarshalAs(UnmanagedType.U1)]
    public static partial bool llama_vocab_get_add_bos(IntPtr vocab);

    [LibraryImport(Llama)]
    public static partial int llama_tokenize(
        IntPtr vocab, byte* text, int textLength, int* tokens, int maxTokens,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(Llama)]
    public static partial int llama_token_to_piece(
        IntPtr vocab, int token, byte* buf, int length, int lstrip, [MarshalAs(UnmanagedType.U1)] bool special);

    // --- chat templates ---
    [LibraryImport(Llama)]
    public static partial int llama_chat_apply_template(
        IntPtr template, LlamaChatMessage* messages, nuint count, [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);

    // --- samplers ---
    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, IntPtr sampler);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_greedy();

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_dist(uint seed);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_top_k(int k);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_temp(float t);

    [LibraryImport(Llama)]
    public static partial IntPtr llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);

    [LibraryImport(Llama)]
    public static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle context, int index);

    [LibraryImport(Llama)]
    public static partial void llama_sampler_free(IntPtr sampler);

    // --- glibc: hand freed model memory back to the OS ---
    [LibraryImport("libc.so.6")]
    public static partial int malloc_trim(nuint pad);
}
