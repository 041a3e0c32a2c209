using System.Net.Mail;
using Distributed.Gateway.Errors;

namespace Distributed.Gateway.Users;

/// <summary>The second service's rules: 8+ characters with a lower-case letter, an upper-case letter, a digit and a symbol; a valid email.</summary>
public static class PasswordPolicy
{
    public const int MaxPasswordLength = 256;

    public static void CheckPassword(string password)
    {
        var ok = password.Length >= 8
            && password.Any(char.IsLower)
            && password.Any(char.IsUpper)
            && password.Any(char.IsDigit)
            && password.Any(c => !char.IsLetterOrDigit(c) && !char.IsWhiteSpace(c));
        if (!ok)
        {
            throw ApiException.BadRequest("password", "The password needs at least 8 characters with a lower-case letter, an upper-case letter, a digit and a symbol.");
        }
    }

    public static string CheckEmail(string email)
    {
        var trimmed = email.Trim();
        if (trimmed.Length > 254 || !MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed
            || !address.Host.Contains('.', StringComparison.Ordinal) || trimmed.Any(char.IsControl))
        {
            throw ApiException.BadRequest("email", "'email' is not a valid email address.");
        }

        return trimmed;
    }
}
