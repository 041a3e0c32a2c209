using System.Text.Json.Serialization;

namespace Distributed.Gateway.Users;

/// <summary>A user as the API shows it: never the password or its hash.</summary>
public sealed record UserView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("firstName")] string FirstName,
    [property: JsonPropertyName("lastName")] string LastName,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("disabled")] bool Disabled,
    [property: JsonPropertyName("created")] DateTimeOffset Created)
{
    public static UserView From(UserRecord u) => new(u.Id, u.Email, u.FirstName, u.LastName, u.Role, u.Disabled, u.Created);
}
