using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Storage;

/// <summary>
/// The key schema (all under <see cref="GatewayOptions.KeyPrefix"/>; see README "Redis key schema").
/// Ids are UUIDs validated before they reach a key, so user input never shapes a key.
/// A session and everything under it share the hash tag <c>{sessionId}</c>, so they live in one Redis Cluster slot
/// and one script or transaction may touch them together. Every other script touches a single key.
/// </summary>
public sealed class RedisKeys(IOptions<GatewayOptions> options)
{
    private readonly string _prefix = options.Value.KeyPrefix;

    public string Prefix => _prefix;

    /// <summary>Hash: owner, model, system_prompt, created, updated.</summary>
    public string Session(Guid id) => $"{Tag(id)}:session";

    /// <summary>List of conversation ids in creation order.</summary>
    public string SessionConversations(Guid id) => $"{Tag(id)}:conversations";

    /// <summary>Sorted set of a principal's session ids, scored by creation time (ms). Another slot than the sessions: never in a script with them.</summary>
    public string PrincipalSessions(string principal) => $"{_prefix}principal:{principal}:sessions";

    /// <summary>Hash: session, created, updated.</summary>
    public string Conversation(Guid sessionId, Guid id) => $"{Tag(sessionId)}:conversation:{id:D}";

    /// <summary>List of JSON turns <c>{"role","content"}</c>, oldest first.</summary>
    public string ConversationMessages(Guid sessionId, Guid id) => $"{Tag(sessionId)}:conversation:{id:D}:messages";

    /// <summary>String holding the token of the request generating in a conversation (expires).</summary>
    public string ConversationLock(Guid sessionId, Guid id) => $"{Tag(sessionId)}:conversation:{id:D}:lock";

    /// <summary>Hash of an API key by SHA-256: principal, role, name, id, created.</summary>
    public string ApiKey(string sha256) => $"{_prefix}apikey:{sha256}";

    /// <summary>Hash: email, first_name, last_name, password_hash, role, disabled, created.</summary>
    public string User(string id) => $"{_prefix}user:{id}";

    /// <summary>String: the user id owning an email (by SHA-256 of the lower-cased address; SET NX keeps emails unique).</summary>
    public string UserByEmail(string emailSha256) => $"{_prefix}user-email:{emailSha256}";

    /// <summary>Sorted set of user ids by creation time.</summary>
    public string Users => $"{_prefix}users";

    /// <summary>Hash: key id → SHA-256 of the key, for a principal's issued keys.</summary>
    public string PrincipalKeys(string principal) => $"{_prefix}principal:{principal}:keys";

    /// <summary>Counter of failed logins for an email hash or a client address, expiring with the throttle window.</summary>
    public string LoginFailures(string kind, string value) => $"{_prefix}login-failures:{kind}:{value}";

    /// <summary>Per-minute counter (requests or generated tokens) of a principal.</summary>
    public string UsageWindow(string kind, string principal, long minute) => $"{_prefix}usage:{kind}:{principal}:{minute}";

    /// <summary>Generations in flight of a principal.</summary>
    public string ActiveGenerations(string principal) => $"{_prefix}usage:active:{principal}";

    // Redis Cluster hashes only the part inside the first {...}; the prefix may hold no braces (GatewayOptions).
    private string Tag(Guid sessionId) => $"{_prefix}{{{sessionId:D}}}";
}
