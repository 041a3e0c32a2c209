using Distributed.Gateway.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Distributed.Gateway.Auth;

public static class AuthServiceCollectionExtensions
{
    public const string AdminPolicy = "admin";
    private const string Scheme = "ApiKeyOrBearer";

    /// <summary>
    /// <c>x-api-key</c> or <c>Authorization: Bearer &lt;jwt&gt;</c> on every route that does not allow anonymous callers;
    /// tokens are HS256 with issuer, audience and lifetime checked, and a disabled user's tokens and keys fail at once.
    /// </summary>
    public static WebApplicationBuilder AddGatewayAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .Configure<IConfiguration>((options, config) => options.ApiKey ??= config["API_KEY"])
            .ValidateOnStart();
        builder.Services.AddOptions<JwtOptions>()
            .BindConfiguration(JwtOptions.SectionName)
            .Configure<IConfiguration>((options, config) => options.Secret ??= config["JWT_CONSTANT"])
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<JwtSigningKey>();
        builder.Services.AddSingleton<TokenIssuer>();

        builder.Services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, Scheme, options => options.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.BearerValue(context.Request) is { } bearer
                && !(ApiKeyAuthenticationHandler.AcceptsBearerKey(context.Request) && !LooksLikeJwt(bearer))
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwtSigningKey, IOptions<JwtOptions>>((bearer, key, jwt) =>
            {
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    IssuerSigningKey = key.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    ValidateIssuerSigningKey = true,
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "sub",
                    RoleClaimType = "role",
                };
                bearer.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        var users = context.HttpContext.RequestServices.GetRequiredService<UserStore>();
                        var subject = context.Principal?.FindFirst("sub")?.Value;
                        if (subject is null || await users.IsDisabledAsync(subject, context.HttpContext.RequestAborted))
                        {
                            context.Fail("The account is disabled.");
                        }
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        await Results.Problem(statusCode: 401, title: "Unauthorized", detail: "The bearer token is missing, invalid or expired.")
                            .ExecuteAsync(context.HttpContext);
                    },
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
        return builder;
    }

    /// <summary>
    /// A JWT is three base64url segments; on the OpenAI-compatible routes anything else in <c>Authorization: Bearer</c>
    /// is taken as an API key (the OpenAI SDKs send their key that way). Elsewhere a Bearer value is always a JWT.
    /// </summary>
    private static bool LooksLikeJwt(string value) => value.Count(c => c == '.') == 2;
}
