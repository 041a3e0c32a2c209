using Distributed.Gateway.Limits;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace Distributed.Gateway.Errors;

/// <summary>
/// Turns every failure into ProblemDetails with the right status: our API errors as they say, Redis outages as 503,
/// malformed requests Kestrel rejects as 4xx; only a real bug is a 500 (and is logged).
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problems, GatewayMetrics metrics, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge })
        {
            // Kestrel decides (MaxRequestBodySize) when the endpoint reads the body; this is where the 413 is answered.
            metrics.RecordLimitRejection(LimitKinds.BodySize);
        }

        var problem = exception switch
        {
            ApiException api => Describe(api),
            _ when RedisFailure.Is(exception) => Describe(ApiException.Unavailable($"The session store is unavailable: {exception.GetType().Name}.", 2)),
            BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request", Detail = bad.Message },
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };

        if (problem is null)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            LogUnhandled(logger, exception, context.Request.Method, context.Request.Path);
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "Internal error", Detail = "An unexpected error occurred." };
        }

        if (exception is ApiException { RetryAfterSeconds: { } retry })
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (RedisFailure.Is(exception))
        {
            context.Response.Headers.RetryAfter = "2";
        }

        if (context.Response.HasStarted)
        {
            return true;
        }

        context.Response.StatusCode = problem.Status ?? 500;
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception }))
        {
            // The default writer only answers clients that accept JSON. A streaming query (Accept: text/event-stream)
            // that fails before its first event must still get the problem, not an empty body (or, for a 404, a 500).
            await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", cancellationToken);
        }

        return true;
    }

    private static ProblemDetails Describe(ApiException api)
    {
        var problem = new ProblemDetails { Status = api.Status, Title = api.Title, Detail = api.Message };
        if (api.Field is not null)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [api.Field] = [api.Message] };
        }

        if (api.Available is not null)
        {
            problem.Extensions["available"] = api.Available;
        }

        return problem;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled error for {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
