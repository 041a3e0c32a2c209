using Distributed.Gateway.Errors;
using Distributed.Gateway.Prompts;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// The same input rules as <c>/llm</c>: user text at most <c>Gateway:MaxQueryLength</c>, system text at most
/// <c>Gateway:MaxSystemPromptLength</c>, every message through <see cref="PromptGuard"/> (redaction, injection block).
/// </summary>
public static class InputSanitizer
{
    public static IReadOnlyList<InputMessage> Apply(IReadOnlyList<InputMessage> messages, string field, PromptGuard guard, GatewayOptions options)
    {
        var result = new List<InputMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var at = messages.Count == 1 && field == "input" ? field : $"{field}[{i}].content";
            var max = message.Role switch
            {
                InputMessage.User => options.MaxQueryLength,
                InputMessage.System => options.MaxSystemPromptLength,
                _ => int.MaxValue,
            };
            if (message.Text.Length > max)
            {
                throw ApiException.BadRequest(at, $"'{at}' is longer than {max} characters.");
            }

            if (message.Role == InputMessage.User && string.IsNullOrWhiteSpace(message.Text))
            {
                throw ApiException.BadRequest(at, $"'{at}' must not be empty.");
            }

            result.Add(message with { Text = guard.Input(message.Text, at).Text });
        }

        return result;
    }

    /// <summary>The system messages as one system prompt (the output sanitizer's echo check uses it), or null.</summary>
    public static string? SystemPrompt(IEnumerable<InputMessage> messages)
    {
        var system = messages.Where(m => m.Role == InputMessage.System && !string.IsNullOrWhiteSpace(m.Text)).Select(m => m.Text).ToArray();
        return system.Length == 0 ? null : string.Join("\n\n", system);
    }
}
