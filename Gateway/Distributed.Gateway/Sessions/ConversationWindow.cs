using Distributed.Contracts.Inference.V1;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// What the gateway sends for the worker to fit (fit_context): the system prompt, the conversation's newer history
/// and the new query. A very long conversation is cut from its oldest end in blocks of <see cref="BlockMessages"/>
/// messages, never past a few times what the model's window holds in characters, so the part sent, and with it the
/// worker's own block boundaries and cached prefix, stays the same over many turns.
/// </summary>
public static class ConversationWindow
{
    public const int BlockMessages = 32;

    /// <summary>Characters of history sent per token of the model's window: well over what any tokenizer packs in.</summary>
    public const int CharsPerWindowToken = 8;

    public static (int HistoryOffset, IReadOnlyList<ChatMessage> Messages) Build(
        string? systemPrompt, IReadOnlyList<ConversationTurn> history, string query, int contextTokens)
    {
        var maxChars = (long)contextTokens * CharsPerWindowToken;
        var suffixChars = new long[history.Count + 1];
        for (var i = history.Count - 1; i >= 0; i--)
        {
            suffixChars[i] = suffixChars[i + 1] + history[i].Content.Length;
        }

        var offset = 0;
        while (offset < history.Count && suffixChars[offset] > maxChars)
        {
            offset += BlockMessages;
        }

        offset = Math.Min(offset, history.Count);
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(systemPrompt))
        {
            messages.Add(new ChatMessage { Role = "system", Content = systemPrompt });
        }

        messages.AddRange(history.Skip(offset).Select(t => new ChatMessage { Role = t.Role == ConversationTurn.Bot ? "assistant" : "user", Content = t.Content }));
        messages.Add(new ChatMessage { Role = "user", Content = query });
        return (offset, messages);
    }
}
