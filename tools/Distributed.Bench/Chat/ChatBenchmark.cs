using System.Collections.Concurrent;
using System.Diagnostics;

namespace Distributed.Bench.Chat;

/// <summary>
/// Runs N conversations x T turns against one target, at most C requests at a time, back to back or interleaved.
/// A short warm-up conversation (not measured) goes first; then all conversations are opened (not timed) and the
/// wall clock runs from the first measured request to the end of the last.
/// </summary>
public sealed class ChatBenchmark(ChatOptions options, IChatTarget target, TextWriter log)
{
    public async Task<ChatResults> RunAsync(CancellationToken cancellationToken)
    {
        var messages = new UserMessages(UserMessages.NewRunId(), options.Words);
        var server = await target.PrepareAsync(cancellationToken);
        await log.WriteLineAsync(server);
        try
        {
            if (options.WarmupTurns > 0)
            {
                var warmup = await target.OpenAsync(cancellationToken);
                for (var turn = 1; turn <= options.WarmupTurns; turn++)
                {
                    await warmup.SendAsync(messages.For(0, turn), cancellationToken);
                }

                await log.WriteLineAsync($"warm-up: {options.WarmupTurns} turn(s) done");
            }

            var conversations = new IChatConversation[options.Conversations];
            for (var i = 0; i < conversations.Length; i++)
            {
                conversations[i] = await target.OpenAsync(cancellationToken);
            }

            var results = new ConcurrentBag<ChatTurnResult>();
            var started = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            async ValueTask Turn(int conversation, int turn, CancellationToken token)
            {
                var startMs = clock.Elapsed.TotalMilliseconds;
                var reply = await conversations[conversation - 1].SendAsync(messages.For(conversation, turn), token);
                results.Add(new ChatTurnResult(conversation, turn, reply.PromptTokens, reply.CompletionTokens, reply.CachedTokens,
                    reply.FinishReason, startMs, reply.TtftMs, reply.TotalMs, reply.ServerQueuedMs, reply.ServerPrefillMs));
            }

            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken };
            var all = Enumerable.Range(1, options.Conversations);
            if (options.Mode == ChatMode.Interleaved)
            {
                for (var turn = 1; turn <= options.Turns; turn++)
                {
                    var t = turn;
                    await Parallel.ForEachAsync(all, parallel, (conversation, token) => Turn(conversation, t, token));
                    await log.WriteLineAsync($"turn {t}/{options.Turns} of {options.Conversations} conversations done ({clock.Elapsed.TotalSeconds:F1} s)");
                }
            }
            else
            {
                await Parallel.ForEachAsync(all, parallel, async (conversation, token) =>
                {
                    for (var turn = 1; turn <= options.Turns; turn++)
                    {
                        await Turn(conversation, turn, token);
                    }
                });
                await log.WriteLineAsync($"{options.Conversations} conversations x {options.Turns} turns done ({clock.Elapsed.TotalSeconds:F1} s)");
            }

            var wallMs = clock.Elapsed.TotalMilliseconds;
            var turns = results.OrderBy(r => r.Conversation).ThenBy(r => r.Turn).ToArray();
            return new ChatResults(options, server, messages.RunId, started, wallMs, turns, ChatSummary.Of(turns, wallMs));
        }
        finally
        {
            await target.CleanupAsync(CancellationToken.None);
        }
    }
}
