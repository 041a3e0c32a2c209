using System.Security.Cryptography;
using System.Text;

namespace Distributed.Gateway.Auth;

/// <summary>Keys are stored and compared only as SHA-256 (they are long random secrets, so no slow hash is needed).</summary>
public static class ApiKeyHasher
{
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
