using System.Security.Claims;
using System.Text.Json;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Prompts;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// <c>POST /v1/chat/completions</c>: stateless like OpenAI's (the client sends the history), routed and cached by
/// <see cref="ChatAffinityKey"/> so a resent, growing history reuses the worker's KV cache; the worker fits it into
/// the window (<c>fit_context</c>). Same limits and sanitization as <c>/llm</c> queries; nothing is stored.
/// </summary>
public static class ChatCompletionEndpoint
{
    public static async Task<IResult> CreateAsync(
        HttpContext context,
        ClaimsPrincipal user,
        QueryService queries,
        WorkerRouter router,
        UsageLimiter limiter,
        PromptGuard guard,
        IOptions<GatewayOptions> options,
        TimeProvider clock)
    {
        var ct = context.RequestAborted;
        var body = await JsonBody.ReadAsync(context.Request);
        UnsupportedParameters.CheckChat(body);
        var model = OpenAiModels.Require(router, body.RequiredString("model", 200));
        var settings = OpenAiSettings.ReadChat(body, options.Value);
        var stream = body.OptionalBool("stream") ?? false;
        var includeUsage = IncludeUsage(body.OptionalElement("stream_options"));
        body.OptionalString("user", 256, allowEmpty: true);
        var messages = InputSanitizer.Apply(MessageReader.ReadChat(body.OptionalElement("messages")), "messages", guard, options.Value);
        if (messages[^1].Role != InputMessage.User)
        {
            throw ApiException.BadRequest("messages", "The last message must be the user's.");
        }

        var request = new GenerateRequest
        {
            Model = model,
            Chat = new ChatMessages(),
            Sampling = settings.ToSampling(),
            CacheKey = ChatAffinityKey.For(model, messages),
            FitContext = true,
        };
        request.Chat.Messages.AddRange(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Text }));
        var systemPrompt = InputSanitizer.SystemPrompt(messages);
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = OpenAiJson.UnixNow(clock);
        await using var generation = await limiter.BeginGenerationAsync(user, ct);

        if (!stream)
        {
            var outcome = await queries.GenerateAsync(request, systemPrompt, null, ct);
            await limiter.RecordTokensAsync(user, outcome.Final.Usage?.CompletionTokens ?? 0);
            return OpenAiJson.Ok(ChatShapes.Completion(id, created, model, outcome.Response, outcome.Final));
        }

        var events = new OpenAiEventStream(context.Response);
        var first = true;
        try
        {
            var outcome = await queries.GenerateAsync(request, systemPrompt, async delta =>
            {
                object piece = first ? new { role = "assistant", content = delta } : new { content = delta };
                first = false;
                await events.WriteAsync(ChatShapes.Chunk(id, created, model, piece, null));
            }, ct);
            await limiter.RecordTokensAsync(user, outcome.Final.Usage?.CompletionTokens ?? 0);
            if (first)
            {
                await events.WriteAsync(ChatShapes.Chunk(id, created, model, new { role = "assistant", content = string.Empty }, null));
            }

            await events.WriteAsync(ChatShapes.Chunk(id, created, model, new { }, ChatShapes.FinishReason(outcome.Final.FinishReason)));
            if (includeUsage)
            {
                await events.WriteAsync(ChatShapes.UsageChunk(id, created, model, outcome.Final));
            }

            await events.WriteDoneAsync();
        }
        catch (Exception ex) when (events.Started && !ct.IsCancellationRequested)
        {
            // The stream is open: report in-band, as OpenAI does.
            await events.WriteAsync(OpenAiError.FromException(ex).Error.Body);
        }

        return Results.Empty;
    }

    private static bool IncludeUsage(JsonElement? streamOptions)
    {
        if (streamOptions is not { } value)
        {
            return false;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw ApiException.BadRequest("stream_options", "'stream_options' must be an object.");
        }

        return value.TryGetProperty("include_usage", out var include) && include.ValueKind == JsonValueKind.True;
    }
}
