namespace Distributed.Gateway.OpenAi;

/// <summary>One message of a request, text only: role <c>system</c> (also OpenAI's <c>developer</c>), <c>user</c> or <c>assistant</c>.</summary>
public sealed record InputMessage(string Role, string Text)
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";
}
