using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Distributed.Gateway.Auth;

/// <summary>Issues access tokens for logged-in users.</summary>
public sealed class TokenIssuer(JwtSigningKey key, IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, int ExpiresIn) Issue(string userId, string role)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + options.Value.Lifetime,
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("role", role)]),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.HmacSha256),
        };
        return (_handler.CreateToken(descriptor), (int)options.Value.Lifetime.TotalSeconds);
    }
}
