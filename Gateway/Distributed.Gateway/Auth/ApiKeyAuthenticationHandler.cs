using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Auth;

/// <summary>Authenticates the <c>x-api-key</c> header (the old system's contract).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore store,
    Users.UserStore users) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "x-api-key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = Request.Headers.TryGetValue(HeaderName, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0])
            ? values[0]!
            : AcceptsBearerKey(Request) ? BearerValue(Request) : null;
        if (string.IsNullOrEmpty(key))
        {
            return AuthenticateResult.NoResult();
        }

        if (key.Length > 256)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        using (Telemetry.GatewayTracing.Start("auth.api_key"))
        {
            var identity = await store.FindAsync(key, Context.RequestAborted);
            // Configured keys have no account that could be disabled: no Redis read on their path (it stays in memory).
            if (identity is null || (!identity.Configured && await users.IsDisabledAsync(identity.Principal, Context.RequestAborted)))
            {
                return AuthenticateResult.Fail("Invalid API key.");
            }

            return Success(identity);
        }
    }

    private static AuthenticateResult Success(ApiKeyIdentity identity)
    {
        var claims = new[]
        {
            new Claim(ClaimTypes.NameIdentifier, identity.Principal),
            new Claim(ClaimTypes.Role, identity.Role),
        };
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>The OpenAI-compatible routes (<c>/v1</c>) also take an API key as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public static bool AcceptsBearerKey(HttpRequest request) => OpenAi.OpenAiEndpoints.IsOpenAiPath(request.Path);

    /// <summary>The value of <c>Authorization: Bearer &lt;value&gt;</c>, or null.</summary>
    public static string? BearerValue(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: $"A valid '{HeaderName}' header or 'Authorization: Bearer' token is required.").ExecuteAsync(Context);
    }
}
