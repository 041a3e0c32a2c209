namespace Distributed.Sanitization;

/// <summary>
/// One kind of change and how often it happened. <see cref="Kind"/> is one of <see cref="FindingKinds"/>; the
/// redacted values themselves are deliberately never carried, so findings are safe to log and return.
/// </summary>
public sealed record SanitizationFinding(string Kind, int Count);
