using Distributed.Gateway.Errors;
using Distributed.Sanitization;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Prompts;

/// <summary>Applies the sanitizer on the way in (blocked prompt-injection → 400) and reports what it changed.</summary>
public sealed class PromptGuard(PromptSanitizer sanitizer, IOptions<SanitizerOptions> options)
{
    public bool Enabled => options.Value.Enabled;

    public PromptSanitizer Sanitizer => sanitizer;

    public SanitizedText Input(string text, string field)
    {
        if (!options.Value.Enabled)
        {
            return new SanitizedText(text, [], false, null);
        }

        var result = sanitizer.SanitizeInput(text);
        if (result.Blocked)
        {
            throw ApiException.BadRequest(field, $"The text was refused: {result.BlockReason}");
        }

        return result;
    }

    /// <summary>The answer as it may be shown; the sanitizer fails closed (empty text) on input it cannot check.</summary>
    public SanitizedText Output(string text, string? systemPrompt) =>
        options.Value.Enabled ? sanitizer.SanitizeOutput(text, systemPrompt) : new SanitizedText(text, [], false, null);
}
