namespace Distributed.Sanitization;

/// <summary>Configuration section <c>Sanitization</c>. Bound by <see cref="SanitizationServiceCollectionExtensions.AddPromptSanitizer"/>.</summary>
public sealed class SanitizerOptions
{
    /// <summary>Master switch; when off both directions return the text untouched. Callers apply it to session queries too.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Prompt-injection handling for input text.</summary>
    public InjectionMode InjectionMode { get; set; } = InjectionMode.Block;

    /// <summary>Redact emails, phones, cards, IBANs and secrets in model output as well.</summary>
    public bool RedactOutput { get; set; } = true;

    /// <summary>Replace verbatim echoes of the system prompt in model output with <c>[SYSTEM PROMPT]</c>.</summary>
    public bool BlockSystemPromptEcho { get; set; } = true;
}
