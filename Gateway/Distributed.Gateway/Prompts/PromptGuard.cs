using Distributed.Gateway.Errors;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Telemetry;
using Distributed.Sanitization;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Prompts;

/// <summary>
/// Applies the sanitizer on the way in (blocked prompt-injection → 400) and on the way out, reports what it changed,
/// and counts the findings (kinds and counts only) in <see cref="GatewayMetrics"/>: every sanitized text of the
/// gateway passes here, so this is the one place that counts them.
/// </summary>
public sealed class PromptGuard(PromptSanitizer sanitizer, IOptions<SanitizerOptions> options, GatewayMetrics metrics)
{
    public bool Enabled => options.Value.Enabled;

    public SanitizedText Input(string text, string field)
    {
        if (!options.Value.Enabled)
        {
            return new SanitizedText(text, [], false, null);
        }

        var result = sanitizer.SanitizeInput(text);
        // Counted before a block too: a refused injection is a finding.
        metrics.RecordFindings(result.Findings, GatewayMetrics.Input);
        if (result.Blocked)
        {
            throw ApiException.BadRequest(field, $"The text was refused: {result.BlockReason}");
        }

        return result;
    }

    /// <summary>The answer as it may be shown; the sanitizer fails closed (empty text) on input it cannot check.</summary>
    public SanitizedText Output(string text, string? systemPrompt)
    {
        if (!options.Value.Enabled)
        {
            return new SanitizedText(text, [], false, null);
        }

        var result = sanitizer.SanitizeOutput(text, systemPrompt);
        metrics.RecordFindings(result.Findings, GatewayMetrics.Output);
        return result;
    }

    /// <summary>Output sanitization of a streamed answer; its findings are counted when it is flushed.</summary>
    public StreamingOutputSanitizer OutputStream(string? systemPrompt) =>
        new(sanitizer.CreateOutputStream(systemPrompt), findings => metrics.RecordFindings(findings, GatewayMetrics.Output));
}
