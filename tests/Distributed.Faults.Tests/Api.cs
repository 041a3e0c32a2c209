using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Distributed.Faults.Tests;

/// <summary>One stored message of a conversation.</summary>
public sealed record Turn(string Role, string Content);

/// <summary>One server-sent event.</summary>
public sealed record Sse(string Event, JsonElement Data);

/// <summary>The few gateway calls the fault scenarios make.</summary>
public static class Api
{
    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static string QueryPath(Guid session, Guid conversation) => $"/llm/sessions/{session}/conversations/{conversation}/query";

    public static async Task<(Guid Session, Guid Conversation)> NewConversationAsync(this HttpClient client, string model = WorkerProcess.Stories)
    {
        using var created = await client.PostAsync("/llm/sessions", Json(new { model_name = model }));
        var session = (await ExpectAsync(created, HttpStatusCode.Created)).GetProperty("sessionId").GetGuid();
        using var conversation = await client.PostAsync($"/llm/sessions/{session}/conversations", null);
        return (session, (await ExpectAsync(conversation, HttpStatusCode.Created)).GetProperty("conversationId").GetGuid());
    }

    /// <summary>A non-streamed query; the response as it came (the caller disposes it).</summary>
    public static Task<HttpResponseMessage> QueryAsync(this HttpClient client, Guid session, Guid conversation, string query, int maxTokens = 4, CancellationToken ct = default) =>
        client.PostAsync(QueryPath(session, conversation), Json(new { query, max_tokens = maxTokens }), ct);

    /// <summary>A streamed query: headers read, body not yet.</summary>
    public static Task<HttpResponseMessage> StreamAsync(this HttpClient client, Guid session, Guid conversation, object body, CancellationToken ct = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, QueryPath(session, conversation)) { Content = Json(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>Reads events one at a time; the end of the stream (or a broken connection) ends the sequence.</summary>
    public static async IAsyncEnumerable<Sse> EventsAsync(HttpResponseMessage response, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        string? name = null;
        var data = new StringBuilder();
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(ct);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                yield break;
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length == 0)
            {
                if (name is not null || data.Length > 0)
                {
                    using var document = JsonDocument.Parse(data.ToString());
                    yield return new Sse(name ?? "message", document.RootElement.Clone());
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
    }

    public static async Task<IReadOnlyList<Turn>> TurnsAsync(this HttpClient client, Guid session, Guid conversation)
    {
        using var response = await client.GetAsync($"/llm/sessions/{session}/conversations/{conversation}");
        var json = await ExpectAsync(response, HttpStatusCode.OK);
        return json.EnumerateArray().Select(t => new Turn(t.GetProperty("role").GetString()!, t.GetProperty("content").GetString()!)).ToArray();
    }

    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != status)
        {
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Retries <paramref name="query"/> until it answers 201 or <paramref name="within"/> passes; returns how long it took.</summary>
    public static async Task<TimeSpan> UntilQuerySucceedsAsync(this HttpClient client, Guid session, Guid conversation, TimeSpan within, string what)
    {
        var started = DateTime.UtcNow;
        var deadline = started + within;
        var statuses = new List<string>();
        var attempt = 0;
        while (DateTime.UtcNow < deadline)
        {
            using var cts = new CancellationTokenSource(deadline - DateTime.UtcNow + TimeSpan.FromMilliseconds(100));
            try
            {
                using var response = await client.QueryAsync(session, conversation, $"after {what} {attempt++}", ct: cts.Token);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    return DateTime.UtcNow - started;
                }

                statuses.Add(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                statuses.Add(e.GetType().Name);
            }

            await Task.Delay(100);
        }

        var answers = statuses.GroupBy(a => a).Select(g => $"{g.Key} x{g.Count()}");
        Assert.Fail($"No query succeeded within {within} after {what}; answers: {string.Join(", ", answers)}");
        return within;
    }
}
