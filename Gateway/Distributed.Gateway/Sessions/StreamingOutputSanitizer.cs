using System.Text;
using Distributed.Sanitization;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Output redaction for streamed answers: text is held back until a line or sentence ends, and each finished
/// segment is sanitized before it is sent, so a redacted value never reaches the client piece by piece.
/// (Emails, card numbers, IBANs and keys do not cross a line or a ". " boundary.)
/// </summary>
public sealed class StreamingOutputSanitizer(PromptSanitizer sanitizer, string? systemPrompt)
{
    private const int MaxHeld = 2048;
    private readonly StringBuilder _held = new();
    private readonly List<SanitizationFinding> _findings = [];

    public IReadOnlyList<SanitizationFinding> Findings => _findings;

    /// <summary>Adds raw text; returns the sanitized text that may be sent now (possibly empty).</summary>
    public string Push(string delta)
    {
        _held.Append(delta);
        var text = _held.ToString();
        var cut = Math.Max(text.LastIndexOf('\n'), text.LastIndexOf(". ", StringComparison.Ordinal) + 1);
        if (cut <= 0 && text.Length < MaxHeld)
        {
            return string.Empty;
        }

        cut = cut <= 0 ? text.Length : cut + 1;
        _held.Remove(0, cut);
        return Sanitize(text[..cut]);
    }

    /// <summary>The rest, when the answer ends.</summary>
    public string Flush()
    {
        var text = _held.ToString();
        _held.Clear();
        return text.Length == 0 ? string.Empty : Sanitize(text);
    }

    private string Sanitize(string segment)
    {
        var result = sanitizer.SanitizeOutput(segment, systemPrompt);
        _findings.AddRange(result.Findings);
        return result.Text;
    }
}
