namespace Distributed.Bench.Chat;

/// <summary>A conversation's messages as a client that keeps the history resends them: system, then user/assistant turns.</summary>
public sealed class ChatHistory(string systemPrompt)
{
    private readonly List<(string Role, string Content)> _messages = string.IsNullOrEmpty(systemPrompt) ? [] : [("system", systemPrompt)];

    public IReadOnlyList<(string Role, string Content)> Messages => _messages;

    /// <summary>The messages to send for a new user message (the history plus that message); the history is unchanged.</summary>
    public IReadOnlyList<(string Role, string Content)> With(string userMessage) => [.. _messages, ("user", userMessage)];

    /// <summary>Records an answered turn.</summary>
    public void Add(string userMessage, string answer)
    {
        _messages.Add(("user", userMessage));
        _messages.Add(("assistant", answer));
    }
}
