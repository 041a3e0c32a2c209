using System.Text.Json;

namespace Distributed.Gateway.Tests.OpenAi;

public static class OpenAiHttp
{
    public static async Task<JsonElement> GetFromJsonElementAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Posts <paramref name="body"/> and returns the status and the parsed JSON body.</summary>
    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostOpenAiAsync(this HttpClient client, string path, object body)
    {
        var response = await client.PostAsync(path, GatewayApi.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    /// <summary>The <c>data:</c> payloads of a server-sent event stream, with their <c>event:</c> names (null when none).</summary>
    public static async Task<IReadOnlyList<(string? Event, string Data)>> PostStreamAsync(this HttpClient client, string path, object body)
    {
        using var response = await client.PostAsync(path, GatewayApi.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        var events = new List<(string?, string)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new List<string>();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Add(line["data: ".Length..]);
                }
            }

            events.Add((name, string.Join("\n", data)));
        }

        return events;
    }
}
