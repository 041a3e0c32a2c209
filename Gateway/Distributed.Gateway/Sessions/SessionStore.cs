using System.Globalization;
using System.Text.Json;
using Distributed.Gateway.Errors;
using Distributed.Gateway.Storage;
using StackExchange.Redis;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// Sessions, conversations and their turns in Redis. Changes to a session and what is under it run as Lua scripts
/// on keys of one hash slot (<see cref="RedisKeys"/>), so each is atomic, on a cluster too. The principal's session
/// index lives in another slot and is updated in a separate step, after the session is written and after it is
/// deleted: a crash in between leaves at most an unlisted new session or an index entry that listing skips.
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider clock)
{
    private const int DeleteAttempts = 10;

    private static readonly LuaScript CreateConversationScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @session) == 0 then return 0 end
        redis.call('HSET', @conversation, 'session', @sessionId, 'created', @now, 'updated', @now)
        redis.call('RPUSH', @conversations, @conversationId)
        redis.call('HSET', @session, 'updated', @now)
        return 1
        """);

    private static readonly LuaScript AppendTurnScript = LuaScript.Prepare("""
        if redis.call('EXISTS', @session) == 0 or redis.call('EXISTS', @conversation) == 0 then return 0 end
        redis.call('RPUSH', @messages, @userTurn, @botTurn)
        redis.call('HSET', @conversation, 'updated', @now)
        redis.call('HSET', @session, 'updated', @now)
        return 1
        """);

    // KEYS: session, conversation, messages. ARGV: now, then the turns.
    private const string AppendMessagesScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
        for i = 2, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
        redis.call('HSET', KEYS[2], 'updated', ARGV[1])
        redis.call('HSET', KEYS[1], 'updated', ARGV[1])
        return 1
        """;

    private static readonly LuaScript DeleteConversationScript = LuaScript.Prepare("""
        local removed = redis.call('LREM', @conversations, 0, @conversationId)
        redis.call('DEL', @conversation, @messages)
        if removed > 0 then redis.call('HSET', @session, 'updated', @now) end
        return removed
        """);

    // KEYS: session, session conversations, then each conversation's hash and messages. ARGV: the conversation ids
    // those keys were built from; -1 when the list changed since (the caller reads it again), so every key is in KEYS.
    private const string DeleteSessionScript = """
        local ids = redis.call('LRANGE', KEYS[2], 0, -1)
        if #ids ~= #ARGV then return -1 end
        for i, id in ipairs(ids) do
          if id ~= ARGV[i] then return -1 end
        end
        for i = 1, #KEYS do redis.call('DEL', KEYS[i]) end
        return 1
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<SessionRecord> CreateSessionAsync(string owner, string modelName, string? systemPrompt, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var now = clock.GetUtcNow();
        await Db.HashSetAsync(keys.Session(id),
        [
            new("owner", owner), new("model", modelName), new("system_prompt", systemPrompt ?? string.Empty),
            new("created", Format(now)), new("updated", Format(now)),
        ]).WaitAsync(ct);
        await Db.SortedSetAddAsync(keys.PrincipalSessions(owner), id.ToString("D"), now.ToUnixTimeMilliseconds()).WaitAsync(ct);
        return new SessionRecord(id, owner, modelName, systemPrompt, now, now);
    }

    /// <summary>The session if it exists and belongs to <paramref name="owner"/>; otherwise null (callers answer 404 either way).</summary>
    public async Task<SessionRecord?> GetSessionAsync(string owner, Guid id, CancellationToken ct)
    {
        var fields = (await Db.HashGetAllAsync(keys.Session(id)).WaitAsync(ct)).ToStringDictionary();
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
        var ids = await Db.SortedSetRangeByRankAsync(keys.PrincipalSessions(owner)).WaitAsync(ct);
        var sessions = await Task.WhenAll(ids.Select(id => Guid.TryParse(id.ToString(), out var g) ? GetSessionAsync(owner, g, ct) : Task.FromResult<SessionRecord?>(null)));
        return sessions.OfType<SessionRecord>().ToArray();
    }

    public Task UpdateModelAsync(Guid id, string modelName, CancellationToken ct) =>
        Db.HashSetAsync(keys.Session(id), [new("model", modelName), new("updated", Format(clock.GetUtcNow()))]).WaitAsync(ct);

    public Task UpdateSystemPromptAsync(Guid id, string? systemPrompt, CancellationToken ct) =>
        Db.HashSetAsync(keys.Session(id), [new("system_prompt", systemPrompt ?? string.Empty), new("updated", Format(clock.GetUtcNow()))]).WaitAsync(ct);

    public async Task DeleteSessionAsync(string owner, Guid id, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conversations = await Db.ListRangeAsync(keys.SessionConversations(id)).WaitAsync(ct);
            var sessionKeys = new List<RedisKey> { keys.Session(id), keys.SessionConversations(id) };
            foreach (var conversation in conversations.Select(c => Guid.Parse(c.ToString())))
            {
                sessionKeys.Add(keys.Conversation(id, conversation));
                sessionKeys.Add(keys.ConversationMessages(id, conversation));
            }

            var deleted = (long)await Db.ScriptEvaluateAsync(DeleteSessionScript, [.. sessionKeys], conversations).WaitAsync(ct);
            if (deleted == 1)
            {
                break;
            }

            if (attempt == DeleteAttempts)
            {
                throw new ApiException(StatusCodes.Status409Conflict, "Session busy", "Conversations are being created in this session; try again.")
                {
                    RetryAfterSeconds = 1,
                };
            }
        }

        await Db.SortedSetRemoveAsync(keys.PrincipalSessions(owner), id.ToString("D")).WaitAsync(ct);
    }

    /// <summary>Creates a conversation, or returns null if the session vanished meanwhile.</summary>
    public async Task<Guid?> CreateConversationAsync(Guid sessionId, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var created = await CreateConversationScript.EvaluateAsync(Db, new
        {
            session = (RedisKey)keys.Session(sessionId),
            conversations = (RedisKey)keys.SessionConversations(sessionId),
            conversation = (RedisKey)keys.Conversation(sessionId, id),
            conversationId = id.ToString("D"),
            sessionId = sessionId.ToString("D"),
            now = Format(clock.GetUtcNow()),
        }).WaitAsync(ct);
        return (long)created == 1 ? id : null;
    }

    public async Task<IReadOnlyList<Guid>> ListConversationsAsync(Guid sessionId, CancellationToken ct)
    {
        var ids = await Db.ListRangeAsync(keys.SessionConversations(sessionId)).WaitAsync(ct);
        return ids.Select(id => Guid.Parse(id.ToString())).ToArray();
    }

    /// <summary>True when the conversation exists and belongs to the session.</summary>
    public async Task<bool> ConversationExistsAsync(Guid sessionId, Guid conversationId, CancellationToken ct) =>
        await Db.HashGetAsync(keys.Conversation(sessionId, conversationId), "session").WaitAsync(ct) == sessionId.ToString("D");

    public async Task<IReadOnlyList<ConversationTurn>> GetTurnsAsync(Guid sessionId, Guid conversationId, CancellationToken ct)
    {
        var items = await Db.ListRangeAsync(keys.ConversationMessages(sessionId, conversationId)).WaitAsync(ct);
        return items.Select(item => JsonSerializer.Deserialize<ConversationTurn>(item.ToString())!).ToArray();
    }

    /// <summary>Stores the user turn and the bot turn together; false if the conversation was deleted meanwhile.</summary>
    public async Task<bool> AppendTurnAsync(Guid sessionId, Guid conversationId, string query, string response, CancellationToken ct)
    {
        var stored = await AppendTurnScript.EvaluateAsync(Db, new
        {
            session = (RedisKey)keys.Session(sessionId),
            conversation = (RedisKey)keys.Conversation(sessionId, conversationId),
            messages = (RedisKey)keys.ConversationMessages(sessionId, conversationId),
            userTurn = JsonSerializer.Serialize(new ConversationTurn(ConversationTurn.User, query)),
            botTurn = JsonSerializer.Serialize(new ConversationTurn(ConversationTurn.Bot, response)),
            now = Format(clock.GetUtcNow()),
        }).WaitAsync(ct);
        return (long)stored == 1;
    }

    /// <summary>Appends messages as they are (a conversation started with a history); false if it was deleted meanwhile.</summary>
    public async Task<bool> AppendMessagesAsync(Guid sessionId, Guid conversationId, IReadOnlyList<ConversationTurn> turns, CancellationToken ct)
    {
        if (turns.Count == 0)
        {
            return await ConversationExistsAsync(sessionId, conversationId, ct);
        }

        RedisKey[] scriptKeys = [keys.Session(sessionId), keys.Conversation(sessionId, conversationId), keys.ConversationMessages(sessionId, conversationId)];
        RedisValue[] values = [Format(clock.GetUtcNow()), .. turns.Select(t => (RedisValue)JsonSerializer.Serialize(t))];
        return (long)await Db.ScriptEvaluateAsync(AppendMessagesScript, scriptKeys, values).WaitAsync(ct) == 1;
    }

    public async Task<bool> DeleteConversationAsync(Guid sessionId, Guid conversationId, CancellationToken ct)
    {
        var removed = await DeleteConversationScript.EvaluateAsync(Db, new
        {
            session = (RedisKey)keys.Session(sessionId),
            conversations = (RedisKey)keys.SessionConversations(sessionId),
            conversation = (RedisKey)keys.Conversation(sessionId, conversationId),
            messages = (RedisKey)keys.ConversationMessages(sessionId, conversationId),
            conversationId = conversationId.ToString("D"),
            now = Format(clock.GetUtcNow()),
        }).WaitAsync(ct);
        return (long)removed > 0;
    }

    private static string Format(DateTimeOffset time) => time.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : DateTimeOffset.UnixEpoch;
}
