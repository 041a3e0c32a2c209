using System.Security.Cryptography;
using System.Text;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// The routing and cache key of a stateless chat: a hash of the model, the first system message and the first user
/// message, which stay the same while a client resends a growing history, so each turn lands on the worker that
/// holds the conversation's KV cache. The worker reuses a cached prefix only when its tokens match, so a collision
/// costs a cache miss, never a wrong answer.
/// </summary>
public static class ChatAffinityKey
{
    public static string For(string model, IReadOnlyList<InputMessage> messages)
    {
        var system = messages.FirstOrDefault(m => m.Role == InputMessage.System)?.Text ?? string.Empty;
        var user = messages.FirstOrDefault(m => m.Role == InputMessage.User)?.Text ?? string.Empty;
        var text = $"{model}\n{system.Length}:{system}\n{user.Length}:{user}";
        return "oai-chat:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }
}
