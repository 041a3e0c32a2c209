namespace Distributed.Gateway.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string User = "user";

    /// <summary>A back-end service: may call the gRPC front door; limits of its own (<c>Limits:Service</c>).</summary>
    public const string Service = "service";
}
