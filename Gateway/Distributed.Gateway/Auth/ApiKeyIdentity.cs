namespace Distributed.Gateway.Auth;

/// <summary>Who a key belongs to.</summary>
public sealed record ApiKeyIdentity(string Principal, string Role);
