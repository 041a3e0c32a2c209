using System.Security.Cryptography;
using System.Text;

namespace Distributed.Redis;

/// <summary>
/// A Lua script plus its SHA1, so it can be run with EVALSHA (only the digest travels) and fall back to EVAL
/// when the server's script cache does not have it (after a restart or SCRIPT FLUSH).
/// </summary>
public sealed class RedisScript
{
    public RedisScript(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        Text = text;

        // Redis names cached scripts by the SHA1 of their source; this is an identifier, not a security measure.
#pragma warning disable CA5350
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5350
    }

    public string Text { get; }

    /// <summary>Lower-case hex SHA1 of <see cref="Text"/>, as Redis reports it from SCRIPT LOAD.</summary>
    public string Sha1 { get; }

    public override string ToString() => Sha1;
}
