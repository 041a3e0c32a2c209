namespace Distributed.Gateway.Auth;

/// <summary>Section <c>Auth</c>. The bootstrap admin key also comes from <c>API_KEY</c> (the old system's name).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The bootstrap key: principal <c>admin</c>, role admin.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Further fixed keys, e.g. one per service that calls the gateway.</summary>
    public List<StaticApiKey> Keys { get; set; } = [];

    /// <summary>Failed logins per email before it is locked out for <see cref="LoginLockout"/>.</summary>
    public int LoginMaxFailuresPerEmail { get; set; } = 5;

    /// <summary>Failed logins per client address before it is locked out.</summary>
    public int LoginMaxFailuresPerAddress { get; set; } = 20;

    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromMinutes(15);
}
