namespace Distributed.Gateway.OpenAi;

/// <summary>
/// The Responses stream: <c>response.created</c>, <c>response.in_progress</c>, the output item and content part
/// opening, one <c>response.output_text.delta</c> per piece, then <c>response.output_text.done</c>, the closings and
/// <c>response.completed</c> (<c>response.incomplete</c> when cut at <c>max_output_tokens</c>). The opening events
/// go out with the first piece, so errors before any text remain plain HTTP errors.
/// </summary>
public sealed class ResponseEventWriter(OpenAiEventStream events, ResponseRecord pending, bool store)
{
    private int _sequence;
    private bool _opened;

    public bool Started => events.Started;

    public async Task DeltaAsync(string delta)
    {
        await OpenAsync();
        await SendAsync("response.output_text.delta", new { item_id = ResponseShapes.MessageId(pending.Id), output_index = 0, content_index = 0, delta, logprobs = Array.Empty<object>() });
    }

    public async Task CompleteAsync(ResponseRecord record, string text)
    {
        await OpenAsync();
        var itemId = ResponseShapes.MessageId(record.Id);
        await SendAsync("response.output_text.done", new { item_id = itemId, output_index = 0, content_index = 0, text, logprobs = Array.Empty<object>() });
        await SendAsync("response.content_part.done", new { item_id = itemId, output_index = 0, content_index = 0, part = ResponseShapes.OutputText(text) });
        await SendAsync("response.output_item.done", new { output_index = 0, item = ResponseShapes.OutputMessage(record.Id, text, "completed") });
        var status = ResponseShapes.Status(record);
        await SendAsync(status == "completed" ? "response.completed" : "response.incomplete", new { response = ResponseShapes.Response(record, status, text, store) });
    }

    public Task ErrorAsync(OpenAiError error) =>
        SendAsync("error", new { code = error.Code, message = error.Message, param = error.Param });

    private async Task OpenAsync()
    {
        if (_opened)
        {
            return;
        }

        _opened = true;
        var response = ResponseShapes.Response(pending, "in_progress", null, store);
        await SendAsync("response.created", new { response });
        await SendAsync("response.in_progress", new { response });
        await SendAsync("response.output_item.added", new { output_index = 0, item = new { type = "message", id = ResponseShapes.MessageId(pending.Id), status = "in_progress", role = "assistant", content = Array.Empty<object>() } });
        await SendAsync("response.content_part.added", new { item_id = ResponseShapes.MessageId(pending.Id), output_index = 0, content_index = 0, part = ResponseShapes.OutputText(string.Empty) });
    }

    private Task SendAsync(string type, object payload)
    {
        // OpenAI's events carry their type and a sequence number next to the payload's own fields.
        var data = new Dictionary<string, object?> { ["type"] = type, ["sequence_number"] = _sequence++ };
        foreach (var property in payload.GetType().GetProperties())
        {
            data[property.Name] = property.GetValue(payload);
        }

        return events.WriteAsync(type, data);
    }
}
