using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Support;

/// <summary>One stored message of a conversation as the API returns it.</summary>
public sealed record Turn(string Role, string Content);

/// <summary>One server-sent event: its name and its JSON data.</summary>
public sealed record ServerSentEvent(string Event, JsonElement Data);

/// <summary>Calls of the gateway's HTTP API, asserting the status of the happy paths and returning the parsed JSON.</summary>
public static class GatewayApi
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, object body) =>
        client.PostAsync(path, body as HttpContent ?? (body is string raw ? Json(raw) : Json(body)));

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new AssertionException($"Expected JSON from {response.RequestMessage?.RequestUri} ({(int)response.StatusCode}), got: {text}", ex);
        }
    }

    /// <summary>Asserts the status and returns the body as JSON.</summary>
    public static async Task<JsonElement> ExpectJsonAsync(this Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        using var response = await call;
        await ExpectStatusAsync(response, status);
        return await response.ReadJsonAsync();
    }

    public static async Task ExpectStatusAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status} {status}, got {(int)response.StatusCode} {response.StatusCode}: {body}");
        }
    }

    /// <summary>Asserts a ProblemDetails answer with <paramref name="status"/> (and its JSON status field); returns it.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        await response.ExpectStatusAsync(status);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), "ProblemDetails media type");
        var problem = await response.ReadJsonAsync();
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
        return problem;
    }

    /// <summary>Asserts a 400 ProblemDetails whose <c>errors</c> names <paramref name="field"/>.</summary>
    public static async Task<JsonElement> ExpectBadRequestAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.TryGetProperty("errors", out var errors), Is.True, $"400 without 'errors': {problem}");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { field }), $"errors of {problem}");
        return problem;
    }

    public static IReadOnlyList<string> PropertyNames(this JsonElement element) =>
        element.EnumerateObject().Select(p => p.Name).ToArray();

    public static async Task<Guid> CreateSessionAsync(this HttpClient client, string model = WorkerProcess.Stories, string? systemPrompt = null)
    {
        object body = systemPrompt is null ? new { model_name = model } : new { model_name = model, system_prompt = systemPrompt };
        var json = await client.PostJsonAsync("/llm/sessions", body).ExpectJsonAsync(HttpStatusCode.Created);
        return json.GetProperty("sessionId").GetGuid();
    }

    public static async Task<Guid> CreateConversationAsync(this HttpClient client, Guid sessionId)
    {
        var json = await client.PostAsync($"/llm/sessions/{sessionId}/conversations", null).ExpectJsonAsync(HttpStatusCode.Created);
        return json.GetProperty("conversationId").GetGuid();
    }

    public static string QueryPath(Guid sessionId, Guid conversationId) =>
        $"/llm/sessions/{sessionId}/conversations/{conversationId}/query";

    /// <summary>A non-streaming query; returns <c>response</c>.</summary>
    public static async Task<string> QueryAsync(this HttpClient client, Guid sessionId, Guid conversationId, object body)
    {
        var json = await client.PostJsonAsync(QueryPath(sessionId, conversationId), body).ExpectJsonAsync(HttpStatusCode.Created);
        Assert.That(json.PropertyNames(), Is.EqualTo(new[] { "response" }));
        return json.GetProperty("response").GetString()!;
    }

    /// <summary>Sends the query with <c>Accept: text/event-stream</c> (response headers first, the body streamed).</summary>
    public static Task<HttpResponseMessage> SendStreamingQueryAsync(this HttpClient client, Guid sessionId, Guid conversationId, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, QueryPath(sessionId, conversationId)) { Content = Json(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>A streaming query that must succeed; returns every event in order.</summary>
    public static async Task<IReadOnlyList<ServerSentEvent>> StreamQueryAsync(this HttpClient client, Guid sessionId, Guid conversationId, object body)
    {
        using var response = await client.SendStreamingQueryAsync(sessionId, conversationId, body);
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        return await ReadEventsAsync(response);
    }

    /// <summary>The <c>done</c> event of a successful stream (which must be its last event).</summary>
    public static JsonElement Done(this IReadOnlyList<ServerSentEvent> events)
    {
        Assert.That(events, Is.Not.Empty);
        Assert.That(events[^1].Event, Is.EqualTo("done"), "last event; all: " + string.Join(" | ", events.Select(e => $"{e.Event} {e.Data}")));
        return events[^1].Data;
    }

    public static async Task<IReadOnlyList<ServerSentEvent>> ReadEventsAsync(HttpResponseMessage response)
    {
        var events = new List<ServerSentEvent>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0)
                {
                    using var document = JsonDocument.Parse(data.ToString());
                    events.Add(new ServerSentEvent(name ?? "message", document.RootElement.Clone()));
                }

                name = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line["data:".Length..].TrimStart());
            }
        }

        return events;
    }

    public static async Task<IReadOnlyList<Turn>> GetTurnsAsync(this HttpClient client, Guid sessionId, Guid conversationId)
    {
        var json = await client.GetAsync($"/llm/sessions/{sessionId}/conversations/{conversationId}").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(json.ValueKind, Is.EqualTo(JsonValueKind.Array));
        return json.EnumerateArray().Select(turn =>
        {
            Assert.That(turn.PropertyNames(), Is.EqualTo(new[] { "role", "content" }), "a turn's fields");
            return new Turn(turn.GetProperty("role").GetString()!, turn.GetProperty("content").GetString()!);
        }).ToArray();
    }

    public static async Task<IReadOnlyList<Guid>> ListConversationsAsync(this HttpClient client, Guid sessionId)
    {
        var json = await client.GetAsync($"/llm/sessions/{sessionId}/conversations").ExpectJsonAsync(HttpStatusCode.OK);
        return json.EnumerateArray().Select(id => Guid.ParseExact(id.GetString()!, "D")).ToArray();
    }

    public static Task<JsonElement> GetSessionAsync(this HttpClient client, Guid sessionId) =>
        client.GetAsync($"/llm/sessions/{sessionId}").ExpectJsonAsync(HttpStatusCode.OK);
}
