using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Microsoft.AspNetCore.Identity;

namespace Distributed.Gateway.Users;

/// <summary><c>POST /user/register</c>, the second service's contract.</summary>
public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/user/register", Register)
            .AllowAnonymous()
            .WithTags("Users")
            .Produces<UserView>(201)
            .ProducesProblem(400)
            .ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> Register(HttpRequest request, UserStore users, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request);
        var email = PasswordPolicy.CheckEmail(body.RequiredString("email", 254));
        var firstName = body.RequiredString("firstName", 100).Trim();
        var lastName = body.RequiredString("lastName", 100).Trim();
        var password = body.RequiredString("password", PasswordPolicy.MaxPasswordLength);
        PasswordPolicy.CheckPassword(password);

        var hash = new PasswordHasher<UserRecord>().HashPassword(null!, password);
        var user = await users.CreateAsync(email, firstName, lastName, hash, Roles.User, ct)
            ?? throw new ApiException(StatusCodes.Status409Conflict, "Email taken", "An account with this email already exists.") { Field = "email" };
        return Results.Json(UserView.From(user), statusCode: StatusCodes.Status201Created);
    }
}
