using Distributed.Sanitization;
using Distributed.Sanitization.Streaming;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Output redaction for streamed answers. Text is released as soon as no redactable value or system-prompt echo can
/// still include it (see <see cref="StreamingOutput"/>): prose goes out word by word, while a possible card, phone,
/// IBAN, key or echo is held until it is decided. What is sent adds up to the whole-answer sanitization.
/// </summary>
public sealed class StreamingOutputSanitizer(PromptSanitizer sanitizer, string? systemPrompt)
{
    private readonly StreamingOutput _output = sanitizer.CreateOutputStream(systemPrompt);

    public IReadOnlyList<SanitizationFinding> Findings => _output.Findings;

    /// <summary>Adds raw text; returns the sanitized text that may be sent now (possibly empty).</summary>
    public string Push(string delta) => _output.Push(delta);

    /// <summary>The rest, when the answer ends.</summary>
    public string Flush() => _output.Flush();
}
