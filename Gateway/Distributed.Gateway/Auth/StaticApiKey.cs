namespace Distributed.Gateway.Auth;

/// <summary>A key given in configuration: <c>Auth__Keys__0__Key</c>, <c>__Principal</c>, <c>__Role</c>.</summary>
public sealed class StaticApiKey
{
    public string Key { get; set; } = string.Empty;

    public string Principal { get; set; } = string.Empty;

    public string Role { get; set; } = Roles.User;
}
