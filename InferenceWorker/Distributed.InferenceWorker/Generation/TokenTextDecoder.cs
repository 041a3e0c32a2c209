using System.Text;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Generation;

/// <summary>Turns token pieces into text without splitting a UTF-8 character: partial bytes wait for the next token.</summary>
public sealed class TokenTextDecoder(LlamaVocabulary vocabulary)
{
    private readonly Decoder _decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private readonly byte[] _piece = new byte[256];
    private readonly char[] _chars = new char[512];

    public string Append(int token)
    {
        var length = vocabulary.TokenToPiece(token, _piece);
        var count = _decoder.GetChars(_piece, 0, length, _chars, 0, flush: false);
        return new string(_chars, 0, count);
    }

    /// <summary>Ends the stream; bytes of an unfinished character become U+FFFD.</summary>
    public string Flush()
    {
        var count = _decoder.GetChars([], 0, 0, _chars, 0, flush: true);
        return new string(_chars, 0, count);
    }
}
