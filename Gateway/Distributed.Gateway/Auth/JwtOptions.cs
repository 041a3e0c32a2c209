using System.ComponentModel.DataAnnotations;

namespace Distributed.Gateway.Auth;

/// <summary>Section <c>Jwt</c>. The signing secret also comes from <c>JWT_CONSTANT</c> (the old service's name).</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    /// <summary>HMAC-SHA256 key, at least 32 bytes. Without one, a random per-process key is used (tokens die with the process).</summary>
    public string? Secret { get; set; }

    [Required]
    public string Issuer { get; set; } = "distributed-gateway";

    [Required]
    public string Audience { get; set; } = "distributed-clients";

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(1);
}
