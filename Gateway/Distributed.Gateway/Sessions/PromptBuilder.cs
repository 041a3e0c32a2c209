using Distributed.Contracts.Inference.V1;

namespace Distributed.Gateway.Sessions;

/// <summary>
/// The model's input: the session's system prompt, then the conversation's turns as chat messages, then the new
/// query. Whole turns are dropped from the oldest end until the estimate fits the context; the query always stays.
/// </summary>
public static class PromptBuilder
{
    /// <summary>Conservative for English (about 4 characters a token); corrected from the worker's count when wrong.</summary>
    public const double DefaultCharsPerToken = 3.0;

    /// <summary>Template tokens per message (role markers, separators).</summary>
    private const int PerMessageOverhead = 8;

    public static IReadOnlyList<ChatMessage> Build(
        string? systemPrompt,
        IReadOnlyList<ConversationTurn> history,
        string query,
        int contextTokens,
        int maxTokens,
        double charsPerToken = DefaultCharsPerToken)
    {
        var budget = contextTokens - Math.Min(maxTokens, contextTokens / 2) - PerMessageOverhead;
        var head = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(systemPrompt))
        {
            head.Add(new ChatMessage { Role = "system", Content = systemPrompt });
        }

        var last = new ChatMessage { Role = "user", Content = query };
        budget -= head.Sum(m => Cost(m.Content, charsPerToken)) + Cost(query, charsPerToken);

        // Keep the newest turns that fit, walking backwards over user/bot pairs so no answer loses its question.
        var kept = new List<ChatMessage>();
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var turn = history[i];
            var cost = Cost(turn.Content, charsPerToken);
            if (cost > budget)
            {
                break;
            }

            budget -= cost;
            kept.Add(new ChatMessage { Role = turn.Role == ConversationTurn.Bot ? "assistant" : "user", Content = turn.Content });
        }

        kept.Reverse();
        if (kept.Count > 0 && kept[0].Role == "assistant")
        {
            kept.RemoveAt(0);
        }

        return [.. head, .. kept, last];
    }

    private static int Cost(string text, double charsPerToken) => (int)Math.Ceiling(text.Length / charsPerToken) + PerMessageOverhead;
}
