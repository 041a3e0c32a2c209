namespace Distributed.Sanitization;

/// <summary>What <see cref="PromptSanitizer.SanitizeInput"/> does when a prompt-injection phrasing is found.</summary>
public enum InjectionMode
{
    /// <summary>No injection detection at all.</summary>
    Off,

    /// <summary>Record an <c>injection</c> finding and let the (sanitized) text through.</summary>
    Flag,

    /// <summary>Mark the result <see cref="SanitizedText.Blocked"/>; the caller answers 400 with the reason.</summary>
    Block,
}
