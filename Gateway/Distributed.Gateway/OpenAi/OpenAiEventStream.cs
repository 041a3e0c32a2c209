using System.Text.Json;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// OpenAI's server-sent events: <c>data: {json}</c> (Chat Completions, ending with <c>data: [DONE]</c>) or with an
/// <c>event:</c> line (Responses). Headers go out with the first event, so errors before it stay plain HTTP errors.
/// </summary>
public sealed class OpenAiEventStream(HttpResponse response)
{
    public bool Started => response.HasStarted;

    public Task WriteAsync(object data) => WriteRawAsync(null, JsonSerializer.Serialize(data, OpenAiJson.Options));

    public Task WriteAsync(string eventName, object data) => WriteRawAsync(eventName, JsonSerializer.Serialize(data, OpenAiJson.Options));

    public Task WriteDoneAsync() => WriteRawAsync(null, "[DONE]");

    private async Task WriteRawAsync(string? eventName, string data)
    {
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
        }

        var text = eventName is null ? $"data: {data}\n\n" : $"event: {eventName}\ndata: {data}\n\n";
        await response.WriteAsync(text, response.HttpContext.RequestAborted);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }
}
