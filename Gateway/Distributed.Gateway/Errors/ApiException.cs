namespace Distributed.Gateway.Errors;

/// <summary>An error with its HTTP status, written as ProblemDetails by <see cref="ApiExceptionHandler"/>.</summary>
public class ApiException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>The request field at fault, named in the problem's <c>errors</c>.</summary>
    public string? Field { get; init; }

    /// <summary>Seconds a client should wait before retrying (503, 429).</summary>
    public int? RetryAfterSeconds { get; init; }

    public IReadOnlyList<string>? Available { get; init; }

    public static ApiException BadRequest(string field, string detail) =>
        new(StatusCodes.Status400BadRequest, "Invalid request", detail) { Field = field };

    public static ApiException NotFound(string what) =>
        new(StatusCodes.Status404NotFound, "Not found", $"{what} was not found.");

    public static ApiException Unavailable(string detail, int retryAfterSeconds = 5) =>
        new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail) { RetryAfterSeconds = retryAfterSeconds };
}
