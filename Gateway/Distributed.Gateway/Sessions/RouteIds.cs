using Distributed.Gateway.Errors;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Route ids must be UUIDs; anything else is a 400 naming the parameter (never a key built from raw input).
/// A UUID is exactly 36 characters in the <c>D</c> format (<c>xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx</c>, hex digits of
/// either case): <see cref="Guid.TryParseExact(string, string, out Guid)"/> alone also accepts surrounding whitespace
/// (<c>%20</c>, <c>%09</c>, <c>%0A</c>, <c>%0D%0A</c>), so the length is checked first.
/// </summary>
public static class RouteIds
{
    public static bool TryParse(string? value, out Guid id)
    {
        id = default;
        return value is { Length: 36 } && Guid.TryParseExact(value, "D", out id);
    }

    public static Guid Parse(string value, string name) =>
        TryParse(value, out var id) ? id : throw ApiException.BadRequest(name, $"'{name}' must be a UUID.");
}
