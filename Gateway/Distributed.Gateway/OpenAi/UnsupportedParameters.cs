using System.Text.Json;
using Distributed.Gateway.Errors;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// OpenAI parameters this server does not implement: present with a value that would change the answer, they are a
/// 400 naming the parameter, never silently ignored. Their no-op values (<c>n: 1</c>, <c>logprobs: false</c>, empty
/// <c>tools</c>, text formats) pass. Fields OpenAI does not define are ignored.
/// </summary>
public static class UnsupportedParameters
{
    public static void CheckChat(JsonBody body)
    {
        Refuse(body, "tools", v => !IsEmptyArray(v), "tools and function calling");
        Refuse(body, "tool_choice", v => !IsString(v, "none", "auto"), "tools and function calling");
        Refuse(body, "parallel_tool_calls", v => v.ValueKind == JsonValueKind.True, "tools and function calling");
        Refuse(body, "functions", v => !IsEmptyArray(v), "function calling");
        Refuse(body, "function_call", _ => true, "function calling");
        Refuse(body, "response_format", v => !HasType(v, "text"), "structured output (only {\"type\":\"text\"})");
        Refuse(body, "logprobs", v => v.ValueKind != JsonValueKind.False, "log probabilities");
        Refuse(body, "top_logprobs", _ => true, "log probabilities");
        Refuse(body, "n", v => !(v.TryGetInt32(out var n) && n == 1), "several choices (n must be 1)");
        Refuse(body, "audio", _ => true, "audio output");
        Refuse(body, "modalities", v => !(v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(m => IsString(m, "text"))), "output modalities other than text");
        Refuse(body, "prediction", _ => true, "predicted outputs");
        Refuse(body, "web_search_options", _ => true, "web search");
        Refuse(body, "logit_bias", v => !(v.ValueKind == JsonValueKind.Object && !v.EnumerateObject().Any()), "logit bias");
        Refuse(body, "presence_penalty", v => !IsZero(v), "presence penalty");
        Refuse(body, "frequency_penalty", v => !IsZero(v), "frequency penalty");
    }

    public static void CheckResponses(JsonBody body)
    {
        Refuse(body, "tools", v => !IsEmptyArray(v), "tools and function calling");
        Refuse(body, "tool_choice", v => !IsString(v, "none", "auto"), "tools and function calling");
        Refuse(body, "parallel_tool_calls", v => v.ValueKind == JsonValueKind.True, "tools and function calling");
        Refuse(body, "text", v => v.ValueKind != JsonValueKind.Object || (v.TryGetProperty("format", out var f) && f.ValueKind != JsonValueKind.Null && !HasType(f, "text")), "structured output (only text.format {\"type\":\"text\"})");
        Refuse(body, "top_logprobs", _ => true, "log probabilities");
        Refuse(body, "background", v => v.ValueKind != JsonValueKind.False, "background responses");
        Refuse(body, "conversation", _ => true, "the Conversations API (continue with previous_response_id)");
        Refuse(body, "prompt", _ => true, "prompt templates");
        Refuse(body, "reasoning", v => v.ValueKind != JsonValueKind.Object || v.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.Null), "reasoning options");
    }

    private static void Refuse(JsonBody body, string name, Func<JsonElement, bool> unsupported, string what)
    {
        if (body.OptionalElement(name) is { } value && unsupported(value))
        {
            throw MessageReader.Unsupported(name, $"{what}.");
        }
    }

    private static bool IsEmptyArray(JsonElement value) => value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 0;

    private static bool IsString(JsonElement value, params string[] allowed) =>
        value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString());

    private static bool HasType(JsonElement value, string type) =>
        value.ValueKind == JsonValueKind.Object && value.TryGetProperty("type", out var t) && IsString(t, type);

    private static bool IsZero(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && d == 0;
}
