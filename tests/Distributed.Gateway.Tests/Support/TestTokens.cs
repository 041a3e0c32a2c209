using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Distributed.Gateway.Tests.Support;

/// <summary>JWTs made by the tests: correctly signed ones with chosen claims and times, and forged ones.</summary>
public static class TestTokens
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>A token signed with <paramref name="secret"/> (the gateway's by default) and <paramref name="algorithm"/>.</summary>
    public static string Sign(
        string? subject,
        string role = "user",
        string secret = TestKeys.JwtSecret,
        string algorithm = SecurityAlgorithms.HmacSha256,
        string issuer = TestKeys.JwtIssuer,
        string audience = TestKeys.JwtAudience,
        DateTime? notBefore = null,
        DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim> { new("role", role) };
        if (subject is not null)
        {
            claims.Add(new Claim("sub", subject));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notBefore ?? now,
            NotBefore = notBefore ?? now,
            Expires = expires ?? now.AddMinutes(10),
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), algorithm),
        };
        return Handler.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>, empty signature) with otherwise valid claims.</summary>
    public static string Unsigned(string subject, string role = "admin")
    {
        var now = DateTimeOffset.UtcNow;
        var header = new { alg = "none", typ = "JWT" };
        var payload = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["role"] = role,
            ["iss"] = TestKeys.JwtIssuer,
            ["aud"] = TestKeys.JwtAudience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(10).ToUnixTimeSeconds(),
        };
        return $"{Base64Url(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload))}.";
    }

    /// <summary>The claims of a token, read without validation.</summary>
    public static JsonWebToken Read(string token) => new(token);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
