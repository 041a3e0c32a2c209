using System.Text;

namespace Distributed.InferenceWorker.Native;

/// <summary>Tokenizer calls on a model's vocabulary; the vocabulary lives as long as the model handle it holds.</summary>
public sealed unsafe class LlamaVocabulary
{
    private readonly SafeLlamaModelHandle _model;
    private readonly IntPtr _vocab;

    public LlamaVocabulary(SafeLlamaModelHandle model)
    {
        _model = model;
        _vocab = NativeMethods.llama_model_get_vocab(model);
        TokenCount = NativeMethods.llama_vocab_n_tokens(_vocab);
        Bos = NativeMethods.llama_vocab_bos(_vocab);
        AddsBos = NativeMethods.llama_vocab_get_add_bos(_vocab);
    }

    public int TokenCount { get; }

    public int Bos { get; }

    public bool AddsBos { get; }

    public bool IsEndOfGeneration(int token) => NativeMethods.llama_vocab_is_eog(_vocab, token);

    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var tokens = new int[bytes.Length + 8];
        var count = Tokenize(bytes, tokens, addSpecial, parseSpecial);
        if (count < 0)
        {
            // A negative count is the size needed.
            tokens = new int[-count];
            count = Tokenize(bytes, tokens, addSpecial, parseSpecial);
        }

        if (count < 0)
        {
            throw new InvalidOperationException("llama_tokenize failed.");
        }

        return tokens.AsSpan(0, count).ToArray();
    }

    /// <summary>The raw bytes of a token's text; may be part of a UTF-8 character.</summary>
    public int TokenToPiece(int token, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = NativeMethods.llama_token_to_piece(_vocab, token, p, buffer.Length, 0, special: false);
            GC.KeepAlive(_model);
            return n < 0 ? throw new InvalidOperationException($"Token {token} needs a {-n}-byte buffer.") : n;
        }
    }

    private int Tokenize(byte[] bytes, int[] tokens, bool addSpecial, bool parseSpecial)
    {
        fixed (byte* text = bytes)
        fixed (int* output = tokens)
        {
            var n = NativeMethods.llama_tokenize(_vocab, text, bytes.Length, output, tokens.Length, addSpecial, parseSpecial);
            GC.KeepAlive(_model);
            return n;
        }
    }
}
