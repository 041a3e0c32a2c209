namespace Distributed.Gateway.Auth;

/// <summary>Section <c>Auth</c>. The bootstrap admin key also comes from <c>API_KEY</c> (the old system's name).</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The bootstrap key: principal <c>admin</c>, role admin.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Further fixed keys, e.g. one per service that calls the gateway.</summary>
    public List<StaticApiKey> Keys { get; set; } = [];

    /// <summary>Failed logins per email (from any address) before it is locked out for <see cref="LoginLockout"/>; 0: no limit.</summary>
    public int LoginMaxFailuresPerEmail { get; set; } = 5;

    /// <summary>
    /// Failed logins per client address and email before that email is locked out from that address; other emails
    /// from the address still log in. 0: no limit.
    /// </summary>
    public int LoginMaxFailuresPerAddress { get; set; } = 5;

    /// <summary>
    /// Failed logins per client address, whatever the email, before every login from it is locked out: the ceiling
    /// for a password spray from one address (far above what the users behind one NAT get wrong). 0: no limit.
    /// </summary>
    public int LoginMaxFailuresPerAddressTotal { get; set; } = 100;

    public TimeSpan LoginLockout { get; set; } = TimeSpan.FromMinutes(15);
}
