using System.Security.Claims;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Users;
using Microsoft.AspNetCore.Identity;

namespace Distributed.Gateway.Auth;

/// <summary>Login (JWT) and the caller's own API keys.</summary>
public static class AuthEndpoints
{
    /// <summary>Hash of a random password, verified when the email is unknown so both paths cost the same.</summary>
    private static readonly string DecoyHash = new PasswordHasher<UserRecord>().HashPassword(null!, Guid.NewGuid().ToString());

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/login", Login).AllowAnonymous().Produces<LoginResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(429);
        auth.MapPost("/keys", CreateKey).Produces<CreatedApiKey>(201).ProducesProblem(401);
        auth.MapGet("/keys", (ClaimsPrincipal user, ApiKeyStore keys, CancellationToken ct) => keys.ListAsync(user.PrincipalId(), ct))
            .Produces<ApiKeyView[]>();
        auth.MapDelete("/keys/{id}", async (string id, ClaimsPrincipal user, ApiKeyStore keys, CancellationToken ct) =>
            Sessions.RouteIds.TryParse(id, out var keyId) && await keys.RevokeAsync(user.PrincipalId(), keyId.ToString("D"), ct)
                ? Results.NoContent()
                : throw ApiException.NotFound("API key")).Produces(204).ProducesProblem(404);
        return app;
    }

    private static async Task<IResult> Login(HttpContext context, UserStore users, LoginThrottle throttle, TokenIssuer tokens, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(context.Request);
        var email = body.RequiredString("email", 254).Trim();
        var password = body.RequiredString("password", PasswordPolicy.MaxPasswordLength);
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // Reserved before the password is verified: however many guesses arrive at once, at most the limit are checked.
        var attempt = await throttle.ReserveAsync(email, address, ct);

        var user = await users.FindByEmailAsync(email, ct);
        var hasher = new PasswordHasher<UserRecord>();
        var verified = hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? DecoyHash, password) != PasswordVerificationResult.Failed;
        if (user is null || !verified || user.Disabled)
        {
            // The reservation stays: it is the failure.
            throw new ApiException(StatusCodes.Status401Unauthorized, "Unauthorized", "Invalid email or password.");
        }

        await attempt.SucceededAsync();
        var (token, expiresIn) = tokens.Issue(user.Id, user.Role);
        return Results.Ok(new LoginResponse(token, "Bearer", expiresIn));
    }

    private static async Task<IResult> CreateKey(HttpRequest request, ClaimsPrincipal user, ApiKeyStore keys, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request, optional: true);
        var name = body.OptionalString("name", 100) ?? "key";
        var created = await keys.IssueAsync(user.PrincipalId(), user.RoleName(), name, ct);
        return Results.Json(created, statusCode: StatusCodes.Status201Created);
    }
}
