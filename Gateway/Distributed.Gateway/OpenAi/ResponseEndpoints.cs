using System.Security.Claims;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Prompts;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.OpenAi;

/// <summary><c>POST /v1/responses</c>, <c>GET</c> and <c>DELETE /v1/responses/{id}</c>: OpenAI's stateful API on our conversations.</summary>
public static class ResponseEndpoints
{
    public static async Task<IResult> CreateAsync(
        HttpContext context,
        ClaimsPrincipal user,
        ResponseService service,
        WorkerRouter router,
        UsageLimiter limiter,
        PromptGuard guard,
        IOptions<GatewayOptions> options,
        TimeProvider clock)
    {
        var ct = context.RequestAborted;
        var body = await JsonBody.ReadAsync(context.Request);
        UnsupportedParameters.CheckResponses(body);
        var request = Read(body, router, guard, options.Value);
        var stream = body.OptionalBool("stream") ?? false;
        var owner = user.PrincipalId();
        var id = ResponseStore.NewId();
        await using var generation = await limiter.BeginGenerationAsync(user, ct);

        if (!stream)
        {
            var result = await service.CreateAsync(id, owner, request, null, ct);
            await limiter.RecordTokensAsync(user, result.Record.OutputTokens);
            return OpenAiJson.Ok(ResponseShapes.Response(result.Record, ResponseShapes.Status(result.Record), result.Text, result.Stored));
        }

        var pending = new ResponseRecord(
            id, owner, Guid.Empty, Guid.Empty, -1, request.Model, OpenAiJson.UnixNow(clock), request.Instructions, request.PreviousResponseId,
            request.Settings.Temperature, request.Settings.TopP, request.Settings.MaxTokens, "stop", 0, 0, 0);
        var events = new ResponseEventWriter(new OpenAiEventStream(context.Response), pending, request.Store);
        try
        {
            var result = await service.CreateAsync(id, owner, request, events.DeltaAsync, ct);
            await limiter.RecordTokensAsync(user, result.Record.OutputTokens);
            await events.CompleteAsync(result.Record, result.Text);
        }
        catch (Exception ex) when (events.Started && !ct.IsCancellationRequested)
        {
            // The stream is open: report in-band; nothing was stored.
            await events.ErrorAsync(OpenAiError.FromException(ex).Error);
        }

        return Results.Empty;
    }

    public static async Task<IResult> GetAsync(string id, ClaimsPrincipal user, ResponseStore responses, SessionStore sessions, CancellationToken ct)
    {
        var record = await responses.GetAsync(user.PrincipalId(), id, ct) ?? throw NotFound(id);
        var turns = await sessions.GetSessionAsync(record.Owner, record.SessionId, ct) is null
            ? []
            : await sessions.GetTurnsAsync(record.SessionId, record.ConversationId, ct);
        if (turns.Count <= record.Turn || turns[record.Turn].Role != ConversationTurn.Bot)
        {
            // Its conversation was deleted through /llm: the response went with it.
            throw NotFound(id);
        }

        return OpenAiJson.Ok(ResponseShapes.Response(record, ResponseShapes.Status(record), turns[record.Turn].Content, true));
    }

    public static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal user, ResponseStore responses, CancellationToken ct)
    {
        _ = await responses.GetAsync(user.PrincipalId(), id, ct) ?? throw NotFound(id);
        await responses.DeleteAsync(id, ct);
        return OpenAiJson.Ok(new { id, @object = "response.deleted", deleted = true });
    }

    private static ResponseCreate Read(JsonBody body, WorkerRouter router, PromptGuard guard, GatewayOptions options)
    {
        var model = OpenAiModels.Require(router, body.RequiredString("model", 200));
        var settings = OpenAiSettings.ReadResponses(body, options);
        var input = InputSanitizer.Apply(MessageReader.ReadResponseInput(body.OptionalElement("input")), "input", guard, options);
        if (input[^1].Role != InputMessage.User)
        {
            throw ApiException.BadRequest("input", "The last input message must be the user's.");
        }

        var instructions = body.OptionalString("instructions", options.MaxSystemPromptLength, allowEmpty: true) is { Length: > 0 } text
            ? guard.Input(text, "instructions").Text
            : null;
        var system = InputSanitizer.SystemPrompt(input);
        var joined = instructions is null ? system : system is null ? instructions : $"{instructions}\n\n{system}";
        body.OptionalString("user", 256, allowEmpty: true);
        return new ResponseCreate(
            model,
            input[^1].Text,
            input.Take(input.Count - 1).Where(m => m.Role != InputMessage.System).ToArray(),
            joined,
            body.OptionalString("previous_response_id", 64),
            body.OptionalBool("store") ?? true,
            settings);
    }

    private static ApiException NotFound(string id) =>
        new(StatusCodes.Status404NotFound, "Not found", $"Response with id '{id}' not found.") { Field = "id" };
}
