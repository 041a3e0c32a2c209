using Microsoft.Extensions.Options;

namespace Distributed.Sanitization.Tests;

/// <summary>Builds sanitizers with specific options.</summary>
internal static class Sanitizers
{
    public static PromptSanitizer Create(
        InjectionMode mode = InjectionMode.Block,
        bool enabled = true,
        bool redactOutput = true,
        bool blockSystemPromptEcho = true) =>
        new(Options.Create(new SanitizerOptions
        {
            Enabled = enabled,
            InjectionMode = mode,
            RedactOutput = redactOutput,
            BlockSystemPromptEcho = blockSystemPromptEcho,
        }));

    /// <summary>Redaction and stripping only, so detector tables are not disturbed by injection blocking.</summary>
    public static PromptSanitizer RedactOnly { get; } = Create(InjectionMode.Off);

    public static int CountOf(this SanitizedText result, string kind) =>
        result.Findings.FirstOrDefault(f => f.Kind == kind)?.Count ?? 0;
}
