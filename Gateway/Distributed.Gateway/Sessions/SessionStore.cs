using System.Globalization;
using System.Text.Json;
using Distributed.Gateway.Storage;
using Distributed.Redis;

namespace Distributed.Gateway.Sessions;

/// <summary>Sessions, conversations and their turns in Redis. Multi-key changes run as Lua scripts, so each is atomic.</summary>
public sealed class SessionStore(RedisConnection redis, RedisKeys keys, TimeProvider clock)
{
    // KEYS: session, principal sessions. ARGV: id, owner, model, system prompt, now, score.
    private static readonly RedisScript CreateSessionScript = new("""
        redis.call('HSET', KEYS[1], 'owner', ARGV[2], 'model', ARGV[3], 'system_prompt', ARGV[4], 'created', ARGV[5], 'updated', ARGV[5])
        redis.call('ZADD', KEYS[2], ARGV[6], ARGV[1])
        return 1
        """);

    // KEYS: session, session conversations, conversation. ARGV: conversation id, session id, now.
    private static readonly RedisScript CreateConversationScript = new("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[3], 'session', ARGV[2], 'created', ARGV[3], 'updated', ARGV[3])
        redis.call('RPUSH', KEYS[2], ARGV[1])
        redis.call('HSET', KEYS[1], 'updated', ARGV[3])
        return 1
        """);

    // KEYS: session, conversation, messages. ARGV: user turn json, bot turn json, now.
    private static readonly RedisScript AppendTurnScript = new("""
        if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
        redis.call('RPUSH', KEYS[3], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[2], 'updated', ARGV[3])
        redis.call('HSET', KEYS[1], 'updated', ARGV[3])
        return 1
        """);

    // KEYS: session, session conversations, conversation, messages. ARGV: conversation id, now.
    private static readonly RedisScript DeleteConversationScript = new("""
        local removed = redis.call('LREM', KEYS[2], 0, ARGV[1])
        redis.call('DEL', KEYS[3], KEYS[4])
        if removed > 0 then redis.call('HSET', KEYS[1], 'updated', ARGV[2]) end
        return removed
        """);

    // KEYS: session, session conversations, principal sessions. ARGV: session id, key prefix.
    private static readonly RedisScript DeleteSessionScript = new("""
        local conversations = redis.call('LRANGE', KEYS[2], 0, -1)
        for _, id in ipairs(conversations) do
          redis.call('DEL', ARGV[2] .. 'conversation:' .. id, ARGV[2] .. 'conversation:' .. id .. ':messages')
        end
        redis.call('DEL', KEYS[1], KEYS[2])
        return redis.call('ZREM', KEYS[3], ARGV[1])
        """);

    public async Task<SessionRecord> CreateSessionAsync(string owner, string modelName, string? systemPrompt, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var now = clock.GetUtcNow();
        await redis.EvalAsync(
            CreateSessionScript,
            [keys.Session(id), keys.PrincipalSessions(owner)],
            [id.ToString("D"), owner, modelName, systemPrompt ?? string.Empty, Format(now), now.ToUnixTimeMilliseconds()],
            ct);
        return new SessionRecord(id, owner, modelName, systemPrompt, now, now);
    }

    /// <summary>The session if it exists and belongs to <paramref name="owner"/>; otherwise null (callers answer 404 either way).</summary>
    public async Task<SessionRecord?> GetSessionAsync(string owner, Guid id, CancellationToken ct)
    {
        var fields = await redis.HGetAllAsync(keys.Session(id), ct);
        if (fields.Count == 0 || !fields.TryGetValue("owner", out var storedOwner) || storedOwner != owner)
        {
            return null;
        }

        var prompt = fields.GetValueOrDefault("system_prompt");
        return new SessionRecord(
            id,
            storedOwner,
            fields.GetValueOrDefault("model") ?? string.Empty,
            string.IsNullOrEmpty(prompt) ? null : prompt,
            Parse(fields.GetValueOrDefault("created")),
            Parse(fields.GetValueOrDefault("updated")));
    }

    public async Task<IReadOnlyList<SessionRecord>> ListSessionsAsync(string owner, CancellationToken ct)
    {
        var ids = await redis.ZRangeAsync(keys.PrincipalSessions(owner), 0, -1, ct);
        var sessions = await Task.WhenAll(ids.Select(id => Guid.TryParse(id, out var g) ? GetSessionAsync(owner, g, ct) : Task.FromResult<SessionRecord?>(null)));
        return sessions.OfType<SessionRecord>().ToArray();
    }

    public Task UpdateModelAsync(Guid id, string modelName, CancellationToken ct) =>
        redis.HSetAsync(keys.Session(id), new Dictionary<string, string> { ["model"] = modelName, ["updated"] = Format(clock.GetUtcNow()) }, ct);

    public Task UpdateSystemPromptAsync(Guid id, string? systemPrompt, CancellationToken ct) =>
        redis.HSetAsync(keys.Session(id), new Dictionary<string, string> { ["system_prompt"] = systemPrompt ?? string.Empty, ["updated"] = Format(clock.GetUtcNow()) }, ct);

    public async Task DeleteSessionAsync(string owner, Guid id, CancellationToken ct) =>
        await redis.EvalAsync(
            DeleteSessionScript,
            [keys.Session(id), keys.SessionConversations(id), keys.PrincipalSessions(owner)],
            [id.ToString("D"), keys.Prefix],
            ct);

    /// <summary>Creates a conversation, or returns null if the session vanished meanwhile.</summary>
    public async Task<Guid?> CreateConversationAsync(Guid sessionId, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var created = await redis.EvalAsync(
            CreateConversationScript,
            [keys.Session(sessionId), keys.SessionConversations(sessionId), keys.Conversation(id)],
            [id.ToString("D"), sessionId.ToString("D"), Format(clock.GetUtcNow())],
            ct);
        return created.AsInt64() == 1 ? id : null;
    }

    public async Task<IReadOnlyList<Guid>> ListConversationsAsync(Guid sessionId, CancellationToken ct)
    {
        var ids = await redis.LRangeAsync(keys.SessionConversations(sessionId), 0, -1, ct);
        return ids.Select(Guid.Parse).ToArray();
    }

    /// <summary>True when the conversation exists and belongs to the session.</summary>
    public async Task<bool> ConversationExistsAsync(Guid sessionId, Guid conversationId, CancellationToken ct) =>
        await redis.HGetAsync(keys.Conversation(conversationId), "session", ct) == sessionId.ToString("D");

    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(Guid conversationId, CancellationToken ct)
    {
        var items = await redis.LRangeAsync(keys.ConversationMessages(conversationId), 0, -1, ct);
        return items.Select(item => JsonSerializer.Deserialize<ConversationTurn>(item)!).ToArray();
    }

    /// <summary>Stores the user turn and the bot turn together; false if the conversation was deleted meanwhile.</summary>
    public async Task<bool> AppendTurnAsync(Guid sessionId, Guid conversationId, string query, string response, CancellationToken ct)
    {
        var stored = await redis.EvalAsync(
            AppendTurnScript,
            [keys.Session(sessionId), keys.Conversation(conversationId), keys.ConversationMessages(conversationId)],
            [
                JsonSerializer.Serialize(new ConversationTurn(ConversationTurn.User, query)),
                JsonSerializer.Serialize(new ConversationTurn(ConversationTurn.Bot, response)),
                Format(clock.GetUtcNow()),
            ],
            ct);
        return stored.AsInt64() == 1;
    }

    public async Task<bool> DeleteConversationAsync(Guid sessionId, Guid conversationId, CancellationToken ct)
    {
        var removed = await redis.EvalAsync(
            DeleteConversationScript,
            [keys.Session(sessionId), keys.SessionConversations(sessionId), keys.Conversation(conversationId), keys.ConversationMessages(conversationId)],
            [conversationId.ToString("D"), Format(clock.GetUtcNow())],
            ct);
        return removed.AsInt64() > 0;
    }

    private static string Format(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : DateTimeOffset.UnixEpoch;
}
