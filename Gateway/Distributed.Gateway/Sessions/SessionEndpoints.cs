using System.Security.Claims;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Auth;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Limits;
using Distributed.Gateway.Prompts;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Workers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// The <c>/llm/sessions</c> API: the old NestJS contract (paths, JSON field names; POST answers 201 as NestJS did)
/// plus listing, reading and deleting, system prompts, generation settings and SSE streaming.
/// </summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/llm/sessions").WithTags("Sessions").ProducesProblem(400).ProducesProblem(401).ProducesProblem(404).ProducesProblem(503);

        sessions.MapPost("/", CreateSession).Accepts<CreateSessionRequest>("application/json").Produces<SessionCreated>(201);
        sessions.MapGet("/", ListSessions).Produces<SessionView[]>();
        sessions.MapGet("/{sessionId}", GetSession).Produces<SessionView>();
        sessions.MapPatch("/{sessionId}", UpdateSession).Accepts<UpdateSessionRequest>("application/json").Produces<SessionView>();
        sessions.MapDelete("/{sessionId}", DeleteSession).Produces(204);
        sessions.MapPost("/{sessionId}/switch-model", SwitchModel).Accepts<SwitchModelRequest>("application/json").Produces<MessageResponse>(201);
        sessions.MapPost("/{sessionId}/conversations", CreateConversation).Produces<ConversationCreated>(201);
        sessions.MapGet("/{sessionId}/conversations", ListConversations).Produces<Guid[]>();
        sessions.MapGet("/{sessionId}/conversations/{conversationId}", GetConversation).Produces<ConversationTurn[]>();
        sessions.MapDelete("/{sessionId}/conversations/{conversationId}", DeleteConversation).Produces(204);
        sessions.MapPost("/{sessionId}/conversations/{conversationId}/query", Query)
            .Accepts<QueryRequest>("application/json")
            .Produces<QueryResponse>(201)
            .Produces(200, contentType: "text/event-stream")
            .ProducesProblem(409).ProducesProblem(504);
        return app;
    }

    private static async Task<IResult> CreateSession(HttpRequest request, ClaimsPrincipal user, SessionStore store, WorkerRouter router, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync(request);
        var model = body.RequiredString("model_name", 200);
        var systemPrompt = body.OptionalString("system_prompt", options.Value.MaxSystemPromptLength, allowEmpty: true);
        router.RequireKnownModel(model);
        var session = await store.CreateSessionAsync(user.PrincipalId(), model, systemPrompt, ct);
        return Results.Json(new SessionCreated(session.Id), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListSessions(ClaimsPrincipal user, SessionStore store, CancellationToken ct) =>
        Results.Ok((await store.ListSessionsAsync(user.PrincipalId(), ct)).Select(SessionView.From));

    private static async Task<IResult> GetSession(string sessionId, ClaimsPrincipal user, SessionStore store, CancellationToken ct) =>
        Results.Ok(SessionView.From(await RequireSession(sessionId, user, store, ct)));

    private static async Task<IResult> UpdateSession(string sessionId, HttpRequest request, ClaimsPrincipal user, SessionStore store, IOptions<GatewayOptions> options, CancellationToken ct)
    {
        var session = await RequireSession(sessionId, user, store, ct);
        var body = await JsonBody.ReadAsync(request);
        var systemPrompt = body.OptionalString("system_prompt", options.Value.MaxSystemPromptLength, allowEmpty: true);
        await store.UpdateSystemPromptAsync(session.Id, systemPrompt, ct);
        return Results.Ok(SessionView.From((await store.GetSessionAsync(session.Owner, session.Id, ct))!));
    }

    private static async Task<IResult> DeleteSession(string sessionId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        var session = await RequireSession(sessionId, user, store, ct);
        await store.DeleteSessionAsync(session.Owner, session.Id, ct);
        return Results.NoContent();
    }

    private static async Task<IResult> SwitchModel(string sessionId, HttpRequest request, ClaimsPrincipal user, SessionStore store, WorkerRouter router, InferenceClient client, CancellationToken ct)
    {
        var session = await RequireSession(sessionId, user, store, ct);
        var body = await JsonBody.ReadAsync(request);
        var model = body.RequiredString("model_name", 200);
        router.RequireKnownModel(model);
        // Load before switching, so the next query does not wait for the load (and a model that cannot load is not switched to).
        await client.LoadModelAsync(model, ct);
        await store.UpdateModelAsync(session.Id, model, ct);
        return Results.Json(new MessageResponse("Model switched successfully"), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> CreateConversation(string sessionId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        var session = await RequireSession(sessionId, user, store, ct);
        var id = await store.CreateConversationAsync(session.Id, ct) ?? throw ApiException.NotFound("Session");
        return Results.Json(new ConversationCreated(id), statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListConversations(string sessionId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        var session = await RequireSession(sessionId, user, store, ct);
        return Results.Ok(await store.ListConversationsAsync(session.Id, ct));
    }

    private static async Task<IResult> GetConversation(string sessionId, string conversationId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        var (session, conversation) = await RequireConversation(sessionId, conversationId, user, store, ct);
        return Results.Ok(await store.GetTurnsAsync(session.Id, conversation, ct));
    }

    private static async Task<IResult> DeleteConversation(string sessionId, string conversationId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        var (session, conversation) = await RequireConversation(sessionId, conversationId, user, store, ct);
        return await store.DeleteConversationAsync(session.Id, conversation, ct) ? Results.NoContent() : throw ApiException.NotFound("Conversation");
    }

    private static async Task<IResult> Query(
        string sessionId,
        string conversationId,
        HttpContext context,
        ClaimsPrincipal user,
        SessionStore store,
        QueryService queries,
        UsageLimiter limiter,
        PromptGuard guard,
        IOptions<GatewayOptions> options)
    {
        var ct = context.RequestAborted;
        var (session, conversation) = await RequireConversation(sessionId, conversationId, user, store, ct);
        var body = await JsonBody.ReadAsync(context.Request);
        var settings = GenerationSettings.Read(body, options.Value);
        // Only the sanitized text goes on: to the model, to Redis and to the logs.
        var query = guard.Input(body.RequiredString("query", options.Value.MaxQueryLength), "query").Text;
        await using var generation = await limiter.BeginGenerationAsync(user, ct);

        if (!context.Request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true))
        {
            var outcome = await queries.AnswerAsync(session, conversation, query, settings, null, ct);
            await limiter.RecordTokensAsync(user, outcome.Final.Usage?.CompletionTokens ?? 0);
            return Results.Json(new QueryResponse(outcome.Response), statusCode: StatusCodes.Status201Created);
        }

        var events = new ServerSentEvents(context.Response);
        try
        {
            var outcome = await queries.AnswerAsync(session, conversation, query, settings, delta => events.WriteAsync("delta", new { delta }), ct);
            await limiter.RecordTokensAsync(user, outcome.Final.Usage?.CompletionTokens ?? 0);
            await events.WriteAsync("done", new
            {
                response = outcome.Response,
                finish_reason = FinishReasonName(outcome.Final.FinishReason),
                usage = new
                {
                    prompt_tokens = outcome.Final.Usage?.PromptTokens ?? 0,
                    completion_tokens = outcome.Final.Usage?.CompletionTokens ?? 0,
                    cached_tokens = outcome.Final.Usage?.CachedTokens ?? 0,
                },
            });
        }
        catch (ApiException ex) when (events.Started)
        {
            // The stream is already open: report in-band; nothing was stored.
            await events.WriteAsync("error", new ProblemDetails { Status = ex.Status, Title = ex.Title, Detail = ex.Message });
        }
        catch (Exception ex) when (RedisFailure.Is(ex) && events.Started)
        {
            await events.WriteAsync("error", new ProblemDetails { Status = 503, Title = "Service unavailable", Detail = "The session store failed; the turn was not stored." });
        }

        return Results.Empty;
    }

    internal static string FinishReasonName(FinishReason reason) => reason switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.ContextFull => "context_full",
        _ => "cancelled",
    };

    private static async Task<SessionRecord> RequireSession(string sessionId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        var id = RouteIds.Parse(sessionId, "sessionId");
        return await store.GetSessionAsync(user.PrincipalId(), id, ct) ?? throw ApiException.NotFound("Session");
    }

    private static async Task<(SessionRecord Session, Guid Conversation)> RequireConversation(
        string sessionId, string conversationId, ClaimsPrincipal user, SessionStore store, CancellationToken ct)
    {
        RouteIds.Parse(sessionId, "sessionId");
        var conversation = RouteIds.Parse(conversationId, "conversationId");
        var session = await RequireSession(sessionId, user, store, ct);
        return await store.ConversationExistsAsync(session.Id, conversation, ct)
            ? (session, conversation)
            : throw ApiException.NotFound("Conversation");
    }
}
