using System.Text.RegularExpressions;
using Distributed.Sanitization.Streaming;
using Microsoft.Extensions.Options;

namespace Distributed.Sanitization;

/// <summary>
/// Sanitizes prompts on the way to the model and responses on the way back (OWASP LLM01 prompt injection,
/// LLM02 sensitive information disclosure, LLM06/LLM07 system prompt leakage). Stateless and thread-safe; never
/// throws for any input and never logs, so redacted values cannot leak through it.
/// </summary>
/// <remarks>
/// Order of work: invisible/control characters are stripped first (so "ig&#x200B;nore" and split card numbers are
/// seen whole), then detectors run on a look-alike-folded view (<see cref="UnicodeFold"/>) and their spans are cut out
/// of the stripped original. Inputs over <see cref="MaxTextLength"/> chars, or a detector hitting its regex timeout,
/// fail closed: <see cref="SanitizedText.Blocked"/> with an empty text.
/// </remarks>
public sealed class PromptSanitizer
{
    /// <summary>Largest text inspected; the gateway's own prompt limits are far below this.</summary>
    public const int MaxTextLength = 1 << 20;

    private static readonly IReadOnlyList<SanitizationFinding> NoFindings = [];

    private readonly bool _enabled;
    private readonly InjectionMode _injectionMode;
    private readonly bool _redactOutput;
    private readonly bool _blockSystemPromptEcho;

    public PromptSanitizer(IOptions<SanitizerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        SanitizerOptions value = options.Value;
        // Copied once: the sanitizer is a singleton and must not see half-updated options.
        _enabled = value.Enabled;
        _injectionMode = value.InjectionMode;
        _redactOutput = value.RedactOutput;
        _blockSystemPromptEcho = value.BlockSystemPromptEcho;
    }

    /// <summary>Redacts PII and secrets, strips control/invisible characters and detects prompt injection.</summary>
    public SanitizedText SanitizeInput(string text)
    {
        text ??= string.Empty;
        if (!_enabled)
        {
            return new SanitizedText(text, NoFindings, false, null);
        }

        if (text.Length > MaxTextLength)
        {
            return TooLong();
        }

        try
        {
            var tally = new FindingTally();
            string stripped = InvisibleCharacters.Strip(text, out int control);
            tally.Add(FindingKinds.Control, control);

            FoldedText folded = UnicodeFold.FoldWithMap(stripped);
            string redacted = Redactor.Redact(stripped, folded, tally);

            string? reason = null;
            if (_injectionMode != InjectionMode.Off)
            {
                int injections = InjectionDetector.Detect(folded.Text, out string? pattern);
                tally.Add(FindingKinds.Injection, injections);
                if (injections > 0 && _injectionMode == InjectionMode.Block)
                {
                    reason = $"Prompt injection detected ({pattern}).";
                }
            }

            return new SanitizedText(redacted, tally.ToFindings(), reason is not null, reason);
        }
        catch (RegexMatchTimeoutException)
        {
            return TimedOut();
        }
    }

    /// <summary>
    /// Strips control/invisible characters, replaces echoes of <paramref name="systemPrompt"/> (when configured) and
    /// redacts PII and secrets (when configured). Callers must honour <see cref="SanitizedText.Blocked"/> here too.
    /// </summary>
    public SanitizedText SanitizeOutput(string text, string? systemPrompt)
    {
        text ??= string.Empty;
        if (!_enabled)
        {
            return new SanitizedText(text, NoFindings, false, null);
        }

        if (text.Length > MaxTextLength)
        {
            return TooLong();
        }

        try
        {
            var tally = new FindingTally();
            string result = InvisibleCharacters.Strip(text, out int control);
            tally.Add(FindingKinds.Control, control);

            if (_blockSystemPromptEcho && !string.IsNullOrEmpty(systemPrompt))
            {
                // Before redaction: a redacted email inside the prompt would otherwise break the verbatim run.
                result = SystemPromptEchoGuard.Suppress(result, systemPrompt, out int echoes);
                tally.Add(FindingKinds.SystemPrompt, echoes);
            }

            if (_redactOutput)
            {
                result = Redactor.Redact(result, UnicodeFold.FoldWithMap(result), tally);
            }

            return new SanitizedText(result, tally.ToFindings(), false, null);
        }
        catch (RegexMatchTimeoutException)
        {
            return TimedOut();
        }
    }

    /// <summary>
    /// Output sanitization for an answer that arrives in pieces; what it releases adds up to what
    /// <see cref="SanitizeOutput"/> returns for the whole answer.
    /// </summary>
    public StreamingOutput CreateOutputStream(string? systemPrompt) =>
        new(_enabled, systemPrompt, _blockSystemPromptEcho, _redactOutput);

    private static SanitizedText TooLong() =>
        new(string.Empty, NoFindings, true, $"Text longer than {MaxTextLength} characters cannot be sanitized.");

    // Redaction may be incomplete, so none of the text is returned.
    private static SanitizedText TimedOut() =>
        new(string.Empty, NoFindings, true, "Sanitization timed out.");
}
