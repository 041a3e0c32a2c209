using System.Text.RegularExpressions;

namespace Distributed.Sanitization.Streaming;

/// <summary>
/// Output sanitization of a streamed answer, the same steps as <see cref="PromptSanitizer.SanitizeOutput"/> chained as
/// streams: invisible characters, then the system-prompt echo guard, then redaction. Each step releases text as soon
/// as later text can no longer change it, so the concatenation of all that <see cref="Push"/> and <see cref="Flush"/>
/// return equals the whole-answer result, and each char is handled a bounded number of times. Not thread-safe: one
/// instance per answer. Fails closed like the whole-answer path: past <see cref="PromptSanitizer.MaxTextLength"/> chars
/// or on a regex timeout nothing more is released.
/// </summary>
public sealed class StreamingOutput
{
    private readonly InvisibleCharacterStream? _strip;
    private readonly EchoGuardStream? _echo;
    private readonly RedactionStream? _redact;
    private readonly FindingTally _redactions = new();
    private long _length;

    internal StreamingOutput(bool enabled, string? systemPrompt, bool blockEcho, bool redact)
    {
        if (!enabled)
        {
            return;
        }

        _strip = new InvisibleCharacterStream();
        _echo = blockEcho && !string.IsNullOrEmpty(systemPrompt) ? EchoGuardStream.Create(systemPrompt) : null;
        _redact = redact ? new RedactionStream(_redactions) : null;
    }

    /// <summary>True once the answer could not be sanitized (too long, or a detector timed out); nothing more is released.</summary>
    public bool Blocked { get; private set; }

    /// <summary>What was changed so far, by kind, counted as the whole-answer path counts it.</summary>
    public IReadOnlyList<SanitizationFinding> Findings
    {
        get
        {
            var tally = new FindingTally();
            tally.Add(FindingKinds.Control, _strip?.Changed ?? 0);
            tally.Add(FindingKinds.SystemPrompt, _echo?.Replaced ?? 0);
            foreach (SanitizationFinding finding in _redactions.ToFindings())
            {
                tally.Add(finding.Kind, finding.Count);
            }

            return tally.ToFindings();
        }
    }

    /// <summary>Chars examined by all steps so far; linear in the answer's length (tests assert a bound).</summary>
    internal long Examined => (_echo?.Examined ?? 0) + (_redact?.Examined ?? 0) + _length;

    /// <summary>Adds raw model text; returns the sanitized text that may be sent now (possibly empty).</summary>
    public string Push(string delta)
    {
        delta ??= string.Empty;
        if (_strip is null)
        {
            return delta;
        }

        _length += delta.Length;
        if (_length > PromptSanitizer.MaxTextLength)
        {
            Blocked = true;
        }

        return Run(() => _strip.Push(delta), static (s, t) => s.Push(t), static (r, t) => r.Push(t));
    }

    /// <summary>The rest, when the answer has ended.</summary>
    public string Flush() =>
        _strip is null ? string.Empty : Run(() => _strip.Flush(), static (s, t) => s.Push(t) + s.Flush(), static (r, t) => r.Push(t) + r.Flush());

    private string Run(Func<string> strip, Func<EchoGuardStream, string, string> echo, Func<RedactionStream, string, string> redact)
    {
        if (Blocked)
        {
            return string.Empty;
        }

        try
        {
            string text = strip();
            text = _echo is null ? text : echo(_echo, text);
            return _redact is null ? text : redact(_redact, text);
        }
        catch (RegexMatchTimeoutException)
        {
            Blocked = true; // redaction may be incomplete
            return string.Empty;
        }
    }
}
