namespace Distributed.Sanitization;

/// <summary>The <see cref="SanitizationFinding.Kind"/> values, so callers need not repeat string literals.</summary>
public static class FindingKinds
{
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Card = "card";
    public const string Iban = "iban";
    public const string Secret = "secret";
    public const string Control = "control";
    public const string Injection = "injection";
    public const string SystemPrompt = "system_prompt";
}
