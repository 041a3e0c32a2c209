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
