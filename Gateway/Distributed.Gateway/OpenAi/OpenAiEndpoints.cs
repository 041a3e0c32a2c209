namespace Distributed.Gateway.OpenAi;

/// <summary>The OpenAI-compatible API under <c>/v1</c>, on the same auth, limits and sanitization as <c>/llm</c>.</summary>
public static class OpenAiEndpoints
{
    public const string Prefix = "/v1";

    public static bool IsOpenAiPath(PathString path) => path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup(Prefix).WithTags("OpenAI");
        v1.MapGet("/models", OpenAiModels.List);
        v1.MapGet("/models/{id}", OpenAiModels.Get);
        v1.MapPost("/chat/completions", ChatCompletionEndpoint.CreateAsync).Produces(200, contentType: "text/event-stream");
        v1.MapPost("/responses", ResponseEndpoints.CreateAsync).Produces(200, contentType: "text/event-stream");
        v1.MapGet("/responses/{id}", ResponseEndpoints.GetAsync);
        v1.MapDelete("/responses/{id}", ResponseEndpoints.DeleteAsync);
        return app;
    }
}
