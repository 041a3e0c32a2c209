using System.Security.Claims;

namespace Distributed.Gateway.Auth;

public static class PrincipalExtensions
{
    /// <summary>The owner id of everything this caller creates.</summary>
    public static string PrincipalId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? user.FindFirstValue("sub") ?? throw new InvalidOperationException("The caller is not authenticated.");

    public static string RoleName(this ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) ? Roles.Admin : user.IsInRole(Roles.Service) ? Roles.Service : Roles.User;
}
