using System.Text;
using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Prompts;
using Distributed.Gateway.Storage;
using Distributed.Gateway.Telemetry;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Answers a query in a conversation: one query at a time per conversation, the history as context, and the user
/// and bot turns stored together only when the answer is complete. The query arrives sanitized; the answer is
/// sanitized here, before it is stored or streamed, so no redacted value reaches Redis or the client.
/// </summary>
public sealed class QueryService(
    SessionStore store,
    ConversationLock locks,
    InferenceClient client,
    WorkerRouter router,
    PromptGuard guard,
    IOptions<GatewayOptions> options)
{
    private const int MaxTrimAttempts = 3;

    /// <param name="onDelta">Called with each piece of text as it arrives (SSE); null to just collect the answer.</param>
    public Task<QueryOutcome> AnswerAsync(
        SessionRecord session, Guid conversationId, string query, GenerationSettings settings, Func<string, Task>? onDelta, CancellationToken ct) =>
        AnswerAsync(session, conversationId, query, settings, onDelta, expectedTurns: null, ct);

    /// <param name="expectedTurns">
    /// When set, the number of stored messages the caller based the query on (OpenAI's previous_response_id names one
    /// turn): checked under the lock, and a conversation that moved on meanwhile is a <see cref="ConversationMovedException"/>.
    /// </param>
    public async Task<QueryOutcome> AnswerAsync(
        SessionRecord session, Guid conversationId, string query, GenerationSettings settings, Func<string, Task>? onDelta, int? expectedTurns, CancellationToken ct)
    {
        RedisLease held;
        using (GatewayTracing.Start("conversation.lock"))
        {
            held = await locks.AcquireAsync(session.Id, conversationId, ct);
        }

        await using var _ = held;
        try
        {
            return await AnswerLockedAsync(session, conversationId, query, settings, onDelta, expectedTurns, held.Lost, ct);
        }
        catch (Exception ex) when (held.Lost.IsCancellationRequested && !ct.IsCancellationRequested && ex is not ApiException)
        {
            // The lock lapsed (Redis was away longer than a lease) and another query took the conversation.
            throw ApiException.Unavailable("The conversation's lock was lost while answering; nothing was stored.", 1);
        }
    }

    private async Task<QueryOutcome> AnswerLockedAsync(
        SessionRecord session, Guid conversationId, string query, GenerationSettings settings, Func<string, Task>? onDelta, int? expectedTurns, CancellationToken lost, CancellationToken requestAborted)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lost);
        var ct = linked.Token;
        IReadOnlyList<ConversationTurn> history;
        using (GatewayTracing.Start("conversation.history.read"))
        {
            if (!await store.ConversationExistsAsync(session.Id, conversationId, ct))
            {
                throw ApiException.NotFound("Conversation");
            }

            history = await store.GetTurnsAsync(session.Id, conversationId, ct);
        }

        if (expectedTurns is { } expected && history.Count != expected)
        {
            throw new ConversationMovedException(expected, history.Count);
        }

        var context = router.ContextLength(session.ModelName) ?? options.Value.DefaultContextTokens;

        // The worker fits the conversation into the window (it has the tokenizer and knows what it cached). The
        // estimate-and-retry below is for a worker that does not (it answers such a prompt with PROMPT_TOO_LONG).
        var (offset, window) = ConversationWindow.Build(session.SystemPrompt, history, query, context);
        var charsPerToken = PromptBuilder.DefaultCharsPerToken;
        for (var attempt = 1; ; attempt++)
        {
            var messages = attempt == 1 ? window : PromptBuilder.Build(session.SystemPrompt, history, query, context, settings.MaxTokens, charsPerToken);
            var request = new GenerateRequest
            {
                Model = session.ModelName,
                Chat = new ChatMessages(),
                Sampling = settings.ToSampling(),
                CacheKey = conversationId.ToString("D"),
                FitContext = attempt == 1,
                HistoryOffset = attempt == 1 ? offset : 0,
            };
            request.Chat.Messages.AddRange(messages);
            try
            {
                var outcome = await GenerateAsync(request, session.SystemPrompt, onDelta, ct);
                lost.ThrowIfCancellationRequested();
                using (GatewayTracing.Start("conversation.history.append"))
                {
                    if (!await store.AppendTurnAsync(session.Id, conversationId, query, outcome.Response, CancellationToken.None))
                    {
                        throw ApiException.NotFound("Conversation");
                    }
                }

                return outcome;
            }
            catch (PromptTooLongException tooLong) when (attempt < MaxTrimAttempts && messages.Count > 1 && tooLong.PromptTokens > 0)
            {
                // The estimate was off for this text: measure characters per token from the worker's count and trim again.
                var characters = messages.Sum(m => m.Content.Length);
                charsPerToken = Math.Max(0.25, characters / (double)tooLong.PromptTokens * 0.9);
                context = tooLong.ContextTokens;
            }
        }
    }

    /// <summary>One generation, its answer sanitized (streamed deltas through <see cref="StreamingOutputSanitizer"/>); stores nothing.</summary>
    public async Task<QueryOutcome> GenerateAsync(GenerateRequest request, string? systemPrompt, Func<string, Task>? onDelta, CancellationToken ct)
    {
        var raw = new StringBuilder();
        var sent = new StringBuilder();
        var filter = onDelta is not null && guard.Enabled ? guard.OutputStream(systemPrompt) : null;
        if (filter is not null)
        {
            request.FirstVisibleTokens = StreamingOutputSanitizer.FirstVisibleTokens;
        }

        GenerateReply? final = null;
        // A whole answer is complete before the client sees any of it, so a worker failing mid-answer is retried on
        // another (CompleteAsync); a streamed one already sent text and is not.
        var replies = onDelta is null ? (await client.CompleteAsync(request, ct)).ToAsyncEnumerable() : client.GenerateAsync(request, ct);
        await foreach (var reply in replies.WithCancellation(ct))
        {
            if (reply.Delta.Length > 0)
            {
                raw.Append(reply.Delta);
                await SendAsync(filter is null ? reply.Delta : filter.Push(reply.Delta));
            }

            final = reply;
        }

        if (final is null || final.FinishReason is FinishReason.Cancelled or FinishReason.Unspecified)
        {
            throw new OperationCanceledException("The generation did not complete.");
        }

        if (filter is not null)
        {
            await SendAsync(filter.Flush());
        }

        // Streamed answers are stored as sent; whole answers are sanitized in one piece.
        var response = onDelta is not null ? sent.ToString() : guard.Output(raw.ToString(), systemPrompt).Text;
        return new QueryOutcome(response.Trim(), final);

        async Task SendAsync(string text)
        {
            if (text.Length > 0 && onDelta is not null)
            {
                sent.Append(text);
                await onDelta(text);
            }
        }
    }
}
