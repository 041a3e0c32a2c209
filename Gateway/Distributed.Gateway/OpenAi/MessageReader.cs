using System.Text;
using System.Text.Json;
using Distributed.Gateway.Errors;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// Reads Chat Completions <c>messages</c> and Responses <c>input</c>: text content only (a string or text parts);
/// images, audio, files, tool calls and tool results are refused with a 400 naming the part.
/// </summary>
public static class MessageReader
{
    public const int MaxMessages = 1024;

    public static IReadOnlyList<InputMessage> ReadChat(JsonElement? messages)
    {
        if (messages is not { ValueKind: JsonValueKind.Array } array || array.GetArrayLength() == 0)
        {
            throw ApiException.BadRequest("messages", "'messages' must be a non-empty array.");
        }

        return ReadItems(array, "messages", requireType: false);
    }

    /// <summary>A string is one user message; an array holds message items (<c>type: "message"</c> or no type).</summary>
    public static IReadOnlyList<InputMessage> ReadResponseInput(JsonElement? input)
    {
        return input switch
        {
            { ValueKind: JsonValueKind.String } text when text.GetString() is { Length: > 0 } s => [new InputMessage(InputMessage.User, s)],
            { ValueKind: JsonValueKind.Array } array when array.GetArrayLength() > 0 => ReadItems(array, "input", requireType: false),
            _ => throw ApiException.BadRequest("input", "'input' must be a non-empty string or a non-empty array of messages."),
        };
    }

    private static List<InputMessage> ReadItems(JsonElement array, string name, bool requireType)
    {
        if (array.GetArrayLength() > MaxMessages)
        {
            throw ApiException.BadRequest(name, $"'{name}' holds more than {MaxMessages} items.");
        }

        var result = new List<InputMessage>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var at = $"{name}[{index++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw ApiException.BadRequest(at, $"'{at}' must be a message object.");
            }

            if (item.TryGetProperty("type", out var type) && type.ValueKind != JsonValueKind.Null && type.GetString() != "message")
            {
                throw Unsupported($"{at}.type", $"input items of type '{type}' are not supported; only messages with text.");
            }
            else if (requireType && type.ValueKind != JsonValueKind.String)
            {
                throw ApiException.BadRequest($"{at}.type", $"'{at}.type' is required.");
            }

            foreach (var field in new[] { "tool_calls", "function_call", "audio", "tool_call_id" })
            {
                if (item.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    throw Unsupported($"{at}.{field}", $"'{field}' is not supported.");
                }
            }

            var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            var mapped = role switch
            {
                "system" or "developer" => InputMessage.System,
                "user" => InputMessage.User,
                "assistant" => InputMessage.Assistant,
                "tool" or "function" => throw Unsupported($"{at}.role", $"role '{role}' is not supported (no tools)."),
                _ => throw ApiException.BadRequest($"{at}.role", $"'{at}.role' must be system, developer, user or assistant."),
            };
            result.Add(new InputMessage(mapped, ReadContent(item, at)));
        }

        return result;
    }

    private static string ReadContent(JsonElement item, string at)
    {
        if (!item.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            throw ApiException.BadRequest($"{at}.content", $"'{at}.content' is required.");
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return Text(content, $"{at}.content");
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw ApiException.BadRequest($"{at}.content", $"'{at}.content' must be a string or an array of text parts.");
        }

        var text = new StringBuilder();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = $"{at}.content[{index++}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "text" or "input_text" or "output_text":
                    if (!part.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        throw ApiException.BadRequest($"{partAt}.text", $"'{partAt}.text' must be a string.");
                    }

                    text.Append(Text(value, $"{partAt}.text"));
                    break;
                case null:
                    throw ApiException.BadRequest($"{partAt}.type", $"'{partAt}.type' is required.");
                default:
                    throw Unsupported($"{partAt}.type", $"content parts of type '{type}' are not supported; only text.");
            }
        }

        return text.ToString();
    }

    private static string Text(JsonElement value, string at)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw ApiException.BadRequest(at, $"'{at}' is not valid UTF-8 text.");
        }
    }

    public static ApiException Unsupported(string param, string detail) =>
        ApiException.BadRequest(param, $"'{param}' is not supported by this server: {detail}");
}
