namespace Distributed.Gateway.Users;

/// <summary>A stored account. The password hash never leaves the gateway.</summary>
public sealed record UserRecord(string Id, string Email, string FirstName, string LastName, string Role, bool Disabled, DateTimeOffset Created, string PasswordHash);
