using System.Text.Json;
using Distributed.Gateway.Sessions;
using Distributed.Gateway.Storage;
using StackExchange.Redis;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// The Responses API's own keys; the turns themselves live in <see cref="SessionStore"/>'s conversations.
/// <c>{prefix}openai:response:{id}</c> → the <see cref="ResponseRecord"/> (JSON), and
/// <c>{prefix}openai:session:{principal}:{model}</c> → the session the API keeps for that principal and model.
/// </summary>
public sealed class ResponseStore(IConnectionMultiplexer redis, RedisKeys keys, SessionStore sessions)
{
    private IDatabase Db => redis.GetDatabase();

    public static string NewId() => "resp_" + Guid.NewGuid().ToString("N");

    public async Task<ResponseRecord?> GetAsync(string owner, string id, CancellationToken ct)
    {
        if (!IsId(id))
        {
            return null;
        }

        var json = await Db.StringGetAsync(ResponseKey(id)).WaitAsync(ct);
        var record = json.IsNullOrEmpty ? null : JsonSerializer.Deserialize<ResponseRecord>(json.ToString());
        return record is not null && record.Owner == owner ? record : null;
    }

    public Task SaveAsync(ResponseRecord record, CancellationToken ct) =>
        Db.StringSetAsync(ResponseKey(record.Id), JsonSerializer.Serialize(record)).WaitAsync(ct);

    public async Task<bool> DeleteAsync(string id, CancellationToken ct) => await Db.KeyDeleteAsync(ResponseKey(id)).WaitAsync(ct);

    /// <summary>The principal's session for this model, created on first use (and again if it was deleted through <c>/llm</c>).</summary>
    public async Task<SessionRecord> SessionForAsync(string owner, string model, CancellationToken ct)
    {
        var key = SessionKey(owner, model);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var stored = await Db.StringGetAsync(key).WaitAsync(ct);
            if (Guid.TryParse(stored.ToString(), out var id))
            {
                if (await sessions.GetSessionAsync(owner, id, ct) is { } existing)
                {
                    return existing;
                }

                await Db.KeyDeleteAsync(key).WaitAsync(ct);
            }

            var created = await sessions.CreateSessionAsync(owner, model, null, ct);
            if (await Db.StringSetAsync(key, created.Id.ToString("D"), when: When.NotExists).WaitAsync(ct))
            {
                return created;
            }

            // Another request created it first: use theirs.
            await sessions.DeleteSessionAsync(owner, created.Id, ct);
        }

        throw new InvalidOperationException("The Responses session could not be created.");
    }

    private static bool IsId(string id) => id.Length == 37 && id.StartsWith("resp_", StringComparison.Ordinal) && id[5..].All(char.IsAsciiHexDigitLower);

    private string ResponseKey(string id) => $"{keys.Prefix}openai:response:{id}";

    private string SessionKey(string owner, string model) => $"{keys.Prefix}openai:session:{owner}:{model.ToLowerInvariant()}";
}
