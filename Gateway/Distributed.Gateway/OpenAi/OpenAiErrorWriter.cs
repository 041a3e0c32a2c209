using Distributed.Gateway.Errors;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// Every error under <c>/v1</c> (our API errors, 401 challenges, 429 limits, unknown routes) in OpenAI's shape instead
/// of ProblemDetails, so the SDKs raise their usual exceptions. Registered ahead of the default writer.
/// </summary>
public sealed class OpenAiErrorWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => OpenAiEndpoints.IsOpenAiPath(context.HttpContext.Request.Path);

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var problem = context.ProblemDetails;
        var status = problem.Status ?? http.Response.StatusCode;
        var api = context.Exception as ApiException;
        var param = api?.Field ?? (problem.Extensions.TryGetValue("errors", out var errors) && errors is IDictionary<string, string[]> fields ? fields.Keys.FirstOrDefault() : null);
        var message = problem.Detail ?? problem.Title ?? Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        if (status == StatusCodes.Status404NotFound && api is null && problem.Detail is null)
        {
            message = $"Unknown route {http.Request.Method} {http.Request.Path}.";
        }

        var error = OpenAiError.From(status, message, param, api?.Title ?? problem.Title);
        http.Response.StatusCode = status;
        return new ValueTask(http.Response.WriteAsJsonAsync(error.Body, OpenAiJson.Options, "application/json", http.RequestAborted));
    }
}
