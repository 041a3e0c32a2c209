using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Distributed.Gateway.Auth;

/// <summary>The one HS256 key tokens are signed and checked with.</summary>
public sealed class JwtSigningKey(IOptions<JwtOptions> options)
{
    public SymmetricSecurityKey Key { get; } = Create(options.Value.Secret);

    private static SymmetricSecurityKey Create(string? secret)
    {
        var bytes = string.IsNullOrEmpty(secret) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < 32)
        {
            // HS256 needs 256 bits; stretch a short configured secret rather than refuse to start.
            bytes = SHA256.HashData(bytes);
        }

        return new SymmetricSecurityKey(bytes);
    }
}
