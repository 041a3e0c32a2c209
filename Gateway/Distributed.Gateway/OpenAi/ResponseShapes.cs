namespace Distributed.Gateway.OpenAi;

/// <summary>Responses API bodies: the <c>response</c> object, its output message, and the streaming events.</summary>
public static class ResponseShapes
{
    public static string MessageId(string responseId) => "msg_" + responseId["resp_".Length..];

    /// <summary>A response as OpenAI shows it; <c>x_distributed</c> (ours) names the session and conversation it is stored in.</summary>
    public static object Response(ResponseRecord r, string status, string? text, bool store) => new
    {
        id = r.Id,
        @object = "response",
        created_at = r.CreatedAt,
        status,
        error = (object?)null,
        incomplete_details = status == "incomplete" ? new { reason = "max_output_tokens" } : null,
        instructions = r.Instructions,
        max_output_tokens = r.MaxOutputTokens,
        model = r.Model,
        output = text is null ? Array.Empty<object>() : [OutputMessage(r.Id, text, "completed")],
        parallel_tool_calls = false,
        previous_response_id = r.PreviousResponseId,
        reasoning = new { effort = (string?)null, summary = (string?)null },
        store,
        temperature = r.Temperature,
        text = new { format = new { type = "text" } },
        tool_choice = "auto",
        tools = Array.Empty<object>(),
        top_p = r.TopP ?? 1.0,
        truncation = "disabled",
        usage = status == "in_progress" ? null : Usage(r),
        user = (string?)null,
        metadata = new Dictionary<string, string>(),
        x_distributed = store ? new { session_id = r.SessionId, conversation_id = r.ConversationId, message_index = r.Turn } : null,
    };

    public static string Status(ResponseRecord r) => r.FinishReason == "length" ? "incomplete" : "completed";

    public static object OutputMessage(string responseId, string text, string status) => new
    {
        type = "message",
        id = MessageId(responseId),
        status,
        role = "assistant",
        content = new[] { OutputText(text) },
    };

    public static object OutputText(string text) => new { type = "output_text", text, annotations = Array.Empty<object>(), logprobs = Array.Empty<object>() };

    private static object Usage(ResponseRecord r) => new
    {
        input_tokens = r.InputTokens,
        input_tokens_details = new { cached_tokens = r.CachedTokens },
        output_tokens = r.OutputTokens,
        output_tokens_details = new { reasoning_tokens = 0 },
        total_tokens = r.InputTokens + r.OutputTokens,
    };
}
