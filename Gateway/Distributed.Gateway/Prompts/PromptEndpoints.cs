using System.Security.Claims;
using System.Text;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Prompts;

/// <summary><c>POST /prompt</c> (the second service's route): one generation on the default model, sanitized both ways.</summary>
public static class PromptEndpoints
{
    public static IEndpointRouteBuilder MapPrompts(this IEndpointRouteBuilder app)
    {
        app.MapPost("/prompt", Prompt)
            .WithTags("Prompt")
            .Accepts<PromptRequest>("application/json")
            .Produces<PromptResponse>()
            .ProducesProblem(400).ProducesProblem(401).ProducesProblem(429).ProducesProblem(503);
        return app;
    }

    private static async Task<IResult> Prompt(
        HttpRequest request,
        ClaimsPrincipal user,
        PromptGuard guard,
        WorkerRouter router,
        InferenceClient client,
        UsageLimiter limiter,
        IOptions<GatewayOptions> options,
        CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request);
        var prompt = body.RequiredString("prompt", options.Value.MaxQueryLength);
        var settings = GenerationSettings.Read(body, options.Value);
        var model = options.Value.DefaultModel
            ?? throw ApiException.Unavailable("No default model is configured (Gateway:DefaultModel or LLM_NAME).");
        router.RequireKnownModel(model, "model");
        var input = guard.Input(prompt, "prompt");

        var generate = new GenerateRequest { Model = model, Chat = new ChatMessages(), Sampling = settings.ToSampling() };
        var systemPrompt = options.Value.PromptSystemPrompt;
        if (!string.IsNullOrWhiteSpace(systemPrompt))
        {
            generate.Chat.Messages.Add(new ChatMessage { Role = "system", Content = systemPrompt });
        }

        generate.Chat.Messages.Add(new ChatMessage { Role = "user", Content = input.Text });
        await using var generation = await limiter.BeginGenerationAsync(user, ct);
        var text = new StringBuilder();
        var completion = 0;
        await foreach (var reply in client.GenerateAsync(generate, ct))
        {
            text.Append(reply.Delta);
            completion = reply.Usage?.CompletionTokens ?? completion;
        }

        await limiter.RecordTokensAsync(user, completion);
        var output = guard.Output(text.ToString().Trim(), systemPrompt);
        return Results.Ok(new PromptResponse(output.Text, new SanitizationReport(input.Findings, output.Findings)));
    }
}
