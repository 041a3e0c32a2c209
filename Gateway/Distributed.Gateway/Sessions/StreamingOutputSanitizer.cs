using System.Text;
using Distributed.Sanitization;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Output redaction for streamed answers: text is held back until a line or sentence ends, and each finished
/// segment is sanitized before it is sent, so a redacted value never reaches the client piece by piece.
/// (Emails, card numbers, IBANs and keys do not cross a line or a ". " boundary.)
/// The whole answer so far is sanitized each time, not the segment alone: an echo of the system prompt runs across
/// sentences, and only the whole text shows it. What goes out is the part beyond what was already sent.
/// </summary>
public sealed class StreamingOutputSanitizer(PromptSanitizer sanitizer, string? systemPrompt)
{
    private const int MaxHeld = 2048;
    private readonly StringBuilder _held = new();
    private readonly StringBuilder _finished = new();
    private string _sent = string.Empty;
    private IReadOnlyList<SanitizationFinding> _findings = [];

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
        _finished.Append(text, 0, cut);
        return Sanitize();
    }

    /// <summary>The rest, when the answer ends.</summary>
    public string Flush()
    {
        _finished.Append(_held);
        _held.Clear();
        return Sanitize();
    }

    private string Sanitize()
    {
        var result = sanitizer.SanitizeOutput(_finished.ToString(), systemPrompt);
        if (result.Blocked)
        {
            return string.Empty;
        }

        _findings = result.Findings;
        // Normally the sanitized whole extends what was sent. When a replacement reaches back into text already sent
        // (an echo recognised only now), the sent part stays as it is and the replacement goes out from there on.
        var common = 0;
        var limit = Math.Min(result.Text.Length, _sent.Length);
        while (common < limit && result.Text[common] == _sent[common])
        {
            common++;
        }

        _sent = result.Text;
        return result.Text[common..];
    }
}
