using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// Answers a Responses request as a turn of a stored conversation. A new chain starts a conversation in the
/// principal's session for the model; <c>previous_response_id</c> continues its conversation (under the same lock,
/// history and worker-side KV cache as <c>/llm</c> queries) when it names the conversation's last turn, and otherwise
/// branches: a new conversation in the same session starts with the history up to that turn. <c>store: false</c>
/// answers from the same history and stores nothing.
/// </summary>
public sealed class ResponseService(
    ResponseStore responses,
    SessionStore sessions,
    QueryService queries,
    WorkerRouter router,
    IOptions<GatewayOptions> options,
    TimeProvider clock)
{
    public sealed record Result(ResponseRecord Record, string Text, bool Stored);

    public async Task<Result> CreateAsync(string id, string owner, ResponseCreate request, Func<string, Task>? onDelta, CancellationToken ct)
    {
        SessionRecord? session = null;
        IReadOnlyList<ConversationTurn> history = [];
        ResponseRecord? previous = null;
        var continuable = false;
        if (request.PreviousResponseId is { } previousId)
        {
            previous = await responses.GetAsync(owner, previousId, ct) ?? throw PreviousNotFound(previousId);
            session = await sessions.GetSessionAsync(owner, previous.SessionId, ct) ?? throw PreviousNotFound(previousId);
            var turns = await sessions.GetTurnsAsync(previous.SessionId, previous.ConversationId, ct);
            if (!await sessions.ConversationExistsAsync(previous.SessionId, previous.ConversationId, ct) || turns.Count <= previous.Turn)
            {
                throw PreviousNotFound(previousId);
            }

            history = turns.Take(previous.Turn + 1).ToArray();
            continuable = turns.Count == previous.Turn + 1 && request.Preceding.Count == 0;
        }

        var seed = history.Concat(request.Preceding.Select(m => new ConversationTurn(m.Role == InputMessage.Assistant ? ConversationTurn.Bot : ConversationTurn.User, m.Text))).ToArray();
        var created = OpenAiJson.UnixNow(clock);
        if (!request.Store)
        {
            var outcome = await GenerateUnstoredAsync(request, seed, previous?.ConversationId, onDelta, ct);
            return new Result(Record(id, owner, request, Guid.Empty, Guid.Empty, -1, created, outcome), outcome.Response, false);
        }

        session ??= await responses.SessionForAsync(owner, request.Model, ct);
        // The request's model and instructions apply to this turn (the session keeps its own for /llm queries).
        var asked = session with { ModelName = request.Model, SystemPrompt = request.Instructions };
        for (var attempt = 0; ; attempt++)
        {
            Guid conversation;
            var fresh = !continuable;
            if (continuable)
            {
                conversation = previous!.ConversationId;
            }
            else
            {
                conversation = await sessions.CreateConversationAsync(session.Id, ct) ?? throw ApiException.NotFound("Session");
                if (!await sessions.AppendMessagesAsync(session.Id, conversation, seed, ct))
                {
                    throw ApiException.NotFound("Conversation");
                }
            }

            try
            {
                var outcome = await queries.AnswerAsync(asked, conversation, request.Query, request.Settings, onDelta, seed.Length, ct);
                var record = Record(id, owner, request, session.Id, conversation, seed.Length + 1, created, outcome);
                await responses.SaveAsync(record, CancellationToken.None);
                return new Result(record, outcome.Response, true);
            }
            catch (ConversationMovedException) when (continuable && attempt == 0)
            {
                // Another response continued the same one first: branch from the turn this one names.
                continuable = false;
            }
            catch when (fresh)
            {
                await sessions.DeleteConversationAsync(session.Id, conversation, CancellationToken.None);
                throw;
            }
        }
    }

    private async Task<QueryOutcome> GenerateUnstoredAsync(
        ResponseCreate request, IReadOnlyList<ConversationTurn> history, Guid? conversation, Func<string, Task>? onDelta, CancellationToken ct)
    {
        var context = router.ContextLength(request.Model) ?? options.Value.DefaultContextTokens;
        var (offset, messages) = ConversationWindow.Build(request.Instructions, history, request.Query, context);
        var generate = new GenerateRequest
        {
            Model = request.Model,
            Chat = new ChatMessages(),
            Sampling = request.Settings.ToSampling(),
            // The chain's conversation when there is one: its worker and cached prefix serve this answer too.
            CacheKey = (conversation ?? Guid.NewGuid()).ToString("D"),
            FitContext = true,
            HistoryOffset = offset,
        };
        generate.Chat.Messages.AddRange(messages);
        return await queries.GenerateAsync(generate, request.Instructions, onDelta, ct);
    }

    private static ResponseRecord Record(string id, string owner, ResponseCreate request, Guid session, Guid conversation, int turn, long created, QueryOutcome outcome) => new(
        id,
        owner,
        session,
        conversation,
        turn,
        request.Model,
        created,
        request.Instructions,
        request.PreviousResponseId,
        request.Settings.Temperature,
        request.Settings.TopP,
        request.Settings.MaxTokens,
        ChatShapes.FinishReason(outcome.Final.FinishReason),
        outcome.Final.Usage?.PromptTokens ?? 0,
        outcome.Final.Usage?.CompletionTokens ?? 0,
        outcome.Final.Usage?.CachedTokens ?? 0);

    private static ApiException PreviousNotFound(string id) =>
        new(StatusCodes.Status404NotFound, "Not found", $"Previous response with id '{id}' not found.") { Field = "previous_response_id" };
}
