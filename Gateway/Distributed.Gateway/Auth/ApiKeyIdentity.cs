namespace Distributed.Gateway.Auth;

/// <summary>Who a key belongs to; <paramref name="Configured"/> for keys from configuration (no user account behind them).</summary>
public sealed record ApiKeyIdentity(string Principal, string Role, bool Configured = false);
