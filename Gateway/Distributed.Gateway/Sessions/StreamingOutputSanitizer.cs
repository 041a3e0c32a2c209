using Distributed.Sanitization;
using Distributed.Sanitization.Streaming;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Output redaction for streamed answers. Text is released as soon as no redactable value or system-prompt echo can
/// still include it (see <see cref="StreamingOutput"/>): prose goes out word by word, while a possible card, phone,
/// IBAN, key or echo is held until it is decided. What is sent adds up to the whole-answer sanitization.
/// </summary>
/// <param name="flushed">Receives the answer's findings once, when it is flushed (the end of the answer).</param>
public sealed class StreamingOutputSanitizer(StreamingOutput output, Action<IReadOnlyList<SanitizationFinding>> flushed)
{
    /// <summary>
    /// Tokens the worker must generate before this filter can release the first word: a word is known whole when the
    /// next token starts (a space or a breaker), so the worker is asked to keep the step after the first token short.
    /// </summary>
    public const uint FirstVisibleTokens = 2;

    public IReadOnlyList<SanitizationFinding> Findings => output.Findings;

    /// <summary>Adds raw text; returns the sanitized text that may be sent now (possibly empty).</summary>
    public string Push(string delta) => output.Push(delta);

    /// <summary>The rest, when the answer ends.</summary>
    public string Flush()
    {
        var rest = output.Flush();
        flushed(output.Findings);
        return rest;
    }
}
