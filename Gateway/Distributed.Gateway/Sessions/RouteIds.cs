using Distributed.Gateway.Errors;

namespace Distributed.Gateway.Sessions;

/// <summary>Route ids must be UUIDs; anything else is a 400 naming the parameter (never a key built from raw input).</summary>
public static class RouteIds
{
    public static Guid Parse(string value, string name) =>
        Guid.TryParseExact(value, "D", out var id) ? id : throw ApiException.BadRequest(name, $"'{name}' must be a UUID.");
}
