using Distributed.InferenceWorker.Generation;
using Distributed.InferenceWorker.Native;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.InferenceWorker.Tests.Generation;

/// <summary>Byte-level pieces of the Llama-2 vocabulary (emoji, CJK) must never reach the client half-decoded.</summary>
public class TokenTextDecoderTests
{
    private SafeLlamaModelHandle _model = null!;
    private LlamaVocabulary _vocabulary = null!;

    [OneTimeSetUp]
    public void LoadVocabulary()
    {
        LlamaLibrary.Initialize(TestPaths.NativeDirectory, NullLogger.Instance);
        var parameters = NativeMethods.llama_model_default_params();
        parameters.VocabOnly = 1;
        _model = SafeLlamaModelHandle.Load(TestPaths.TinyRandom, parameters) ?? throw new InvalidOperationException("load failed");
        _vocabulary = new LlamaVocabulary(_model);
    }

    [OneTimeTearDown]
    public void Free() => _model.Dispose();

    [TestCase("🎉 party")]
    [TestCase("日本語のテキスト")]
    [TestCase("émigré naïve Ωmega 𝄞 clef")]
    public void Append_TokenByToken_EveryDeltaWholeCharacters(string text)
    {
        var tokens = _vocabulary.Tokenize(text, addSpecial: false, parseSpecial: false);
        var decoder = new TokenTextDecoder(_vocabulary);
        var deltas = tokens.Select(decoder.Append).Append(decoder.Flush()).ToArray();

        Assert.That(tokens.Length, Is.GreaterThan(text.Length / 4), "the text really is split into pieces");
        Assert.That(deltas, Has.None.Contains('\uFFFD'));
        Assert.That(string.Concat(deltas).TrimStart(), Is.EqualTo(text));
    }

    [Test]
    public void Append_EmojiByteTokens_FirstBytesHeldBack()
    {
        var tokens = _vocabulary.Tokenize("🎉", addSpecial: false, parseSpecial: false);
        var decoder = new TokenTextDecoder(_vocabulary);
        var deltas = tokens.Select(decoder.Append).ToArray();
        // The emoji is four byte tokens (after the leading-space piece); only the last completes it.
        Assert.That(deltas[^1], Does.EndWith("🎉"));
        Assert.That(deltas.Count(d => d.Contains("🎉", StringComparison.Ordinal)), Is.EqualTo(1));
    }
}
