using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Support;

/// <summary>A user registered through <c>POST /user/register</c>, with the password it was given.</summary>
public sealed record RegisteredUser(string Id, string Email, string Password);

/// <summary>Accounts and keys: <c>/user/register</c>, <c>/auth/login</c> and <c>/auth/keys</c>, asserting the happy paths.</summary>
public static class AccountApi
{
    /// <summary>Meets the policy: 8+ characters with a lower-case letter, an upper-case letter, a digit and a symbol.</summary>
    public const string StrongPassword = "Str0ng!Passw0rd";

    /// <summary>A fresh, unique, valid address (letters, digits and dots only, so JSON stores it unescaped).</summary>
    public static string NewEmail(string tag = "user") => $"{tag}.{Guid.NewGuid():N}@example.com";

    public static object RegisterBody(string email, string password = StrongPassword) =>
        new { email, firstName = "Test", lastName = "User", password };

    /// <summary>Registers a user (201 expected) on an anonymous client of <paramref name="gateway"/>.</summary>
    public static async Task<RegisteredUser> RegisterAsync(this GatewayHost gateway, string? email = null, string password = StrongPassword)
    {
        using var client = gateway.CreateClient(apiKey: null);
        email ??= NewEmail();
        var json = await client.PostJsonAsync("/user/register", RegisterBody(email, password)).ExpectJsonAsync(HttpStatusCode.Created);
        return new RegisteredUser(json.GetProperty("id").GetString()!, email, password);
    }

    public static async Task<HttpResponseMessage> SendLoginAsync(this GatewayHost gateway, string email, string password)
    {
        using var client = gateway.CreateClient(apiKey: null);
        return await client.PostJsonAsync("/auth/login", new { email, password });
    }

    /// <summary>Logs in (200 expected) and returns the access token.</summary>
    public static async Task<string> LoginAsync(this GatewayHost gateway, string email, string password = StrongPassword)
    {
        var json = await gateway.SendLoginAsync(email, password).ExpectJsonAsync(HttpStatusCode.OK);
        return json.GetProperty("access_token").GetString()!;
    }

    /// <summary>A new user, logged in: the user and a client sending its bearer token.</summary>
    public static async Task<(RegisteredUser User, HttpClient Client, string Token)> NewUserClientAsync(this GatewayHost gateway, string tag = "user")
    {
        var user = await gateway.RegisterAsync(NewEmail(tag));
        var token = await gateway.LoginAsync(user.Email, user.Password);
        return (user, gateway.CreateBearerClient(token), token);
    }

    /// <summary>Creates an API key for the caller (201 expected); returns the whole answer (id, name, prefix, key, created).</summary>
    public static Task<JsonElement> CreateKeyAsync(this HttpClient client, string name = "test key") =>
        client.PostJsonAsync("/auth/keys", new { name }).ExpectJsonAsync(HttpStatusCode.Created);

    public static Task<JsonElement> ListKeysAsync(this HttpClient client) =>
        client.GetAsync("/auth/keys").ExpectJsonAsync(HttpStatusCode.OK);
}
