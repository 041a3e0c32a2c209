namespace Distributed.Sanitization;

/// <summary>
/// Result of sanitizing one text. <see cref="Text"/> is always safe to store and forward; when <see cref="Blocked"/>
/// is true the caller must not use the text for generation (input) or show it (output) and should report
/// <see cref="BlockReason"/> instead.
/// </summary>
public sealed record SanitizedText(string Text, IReadOnlyList<SanitizationFinding> Findings, bool Blocked, string? BlockReason);
