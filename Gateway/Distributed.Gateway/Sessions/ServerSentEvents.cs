using System.Text.Json;

namespace Distributed.Gateway.Sessions;

/// <summary>Writes <c>text/event-stream</c> events; headers go out with the first event, so errors before it stay ProblemDetails.</summary>
public sealed class ServerSentEvents(HttpResponse response)
{
    public bool Started => response.HasStarted;

    public async Task WriteAsync(string eventName, object data)
    {
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
        }

        var json = JsonSerializer.Serialize(data);
        await response.WriteAsync($"event: {eventName}\ndata: {json}\n\n", response.HttpContext.RequestAborted);
        await response.Body.FlushAsync(response.HttpContext.RequestAborted);
    }
}
