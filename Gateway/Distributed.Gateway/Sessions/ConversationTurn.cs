using System.Text.Json.Serialization;

namespace Distributed.Gateway.Sessions;

/// <summary>One stored message: role <c>user</c> or <c>bot</c> (the old contract's names).</summary>
public sealed record ConversationTurn(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content)
{
    public const string User = "user";
    public const string Bot = "bot";
}
