using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;

namespace Distributed.Gateway.OpenAi;

/// <summary>OpenAI's error body, <c>{"error":{"message","type","param","code"}}</c>, for a status and what caused it.</summary>
public sealed record OpenAiError(string Message, string Type, string? Param, string? Code)
{
    public object Body => new { error = new { message = Message, type = Type, param = Param, code = Code } };

    public static OpenAiError From(int status, string message, string? param, string? title = null) => new(
        message,
        status switch
        {
            401 => "invalid_request_error",
            403 => "permission_error",
            429 => "rate_limit_error",
            >= 500 => "server_error",
            _ => "invalid_request_error",
        },
        param,
        status switch
        {
            400 when title == "Unknown model" => "model_not_found",
            404 when title == "Unknown model" => "model_not_found",
            400 when param is not null && message.Contains("not supported", StringComparison.Ordinal) => "unsupported_parameter",
            400 => "invalid_request",
            401 => "invalid_api_key",
            403 => "permission_denied",
            404 => "not_found",
            409 => "conflict",
            413 => "request_too_large",
            415 => "unsupported_media_type",
            429 => "rate_limit_exceeded",
            503 => "service_unavailable",
            504 => "timeout",
            _ => "server_error",
        });

    /// <summary>For a failure after a stream opened (reported in-band).</summary>
    public static (int Status, OpenAiError Error) FromException(Exception exception) => exception switch
    {
        ApiException api => (api.Status, From(api.Status, api.Message, api.Field, api.Title)),
        _ when RedisFailure.Is(exception) => (503, From(503, "The session store failed; the turn was not stored.", null)),
        _ => (500, From(500, "An unexpected error occurred.", null)),
    };
}
