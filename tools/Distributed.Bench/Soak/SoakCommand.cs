using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Distributed.Bench.Soak;

/// <summary>
/// <c>soak</c>: N clients x T turns against a running gateway (each client its own session and conversation, its turns
/// one after another), then every conversation's history is read back and checked against what was acknowledged:
/// lost (acknowledged, not stored), duplicated (stored twice), misordered (stored out of order) and phantom (stored
/// although the call failed) entries, and the count of every HTTP status. Exit code 1 when anything was lost,
/// duplicated or misordered. For a long run with faults injected by hand (kill a worker, Redis, a gateway replica).
/// </summary>
internal static class SoakCommand
{
    public static Command Create()
    {
        var gateway = new Option<string>("--gateway") { Description = "The gateway's HTTP base address.", DefaultValueFactory = _ => "http://127.0.0.1:3003" };
        var apiKey = new Option<string?>("--api-key") { Description = "x-api-key (default: $API_KEY)." };
        var model = new Option<string>("--model") { Description = "Model of the sessions.", DefaultValueFactory = _ => "stories260K" };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients, one conversation each.", DefaultValueFactory = _ => 200 };
        var turns = new Option<int>("--turns") { Description = "Turns per client.", DefaultValueFactory = _ => 10 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens of each query.", DefaultValueFactory = _ => 8 };
        var stream = new Option<bool>("--stream") { Description = "Streamed queries (SSE) instead of plain JSON." };
        var retries = new Option<int>("--retries") { Description = "Retries of a failed turn (503/429/409/transport errors) before moving on.", DefaultValueFactory = _ => 5 };
        var json = new Option<string?>("--json") { Description = "Writes the summary as JSON to this file." };
        var command = new Command("soak", "N clients x T turns against the gateway; counts lost/duplicated/misordered history entries and statuses.")
        {
            gateway, apiKey, model, clients, turns, maxTokens, stream, retries, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("API_KEY");
            if (string.IsNullOrEmpty(key))
            {
                Console.Error.WriteLine("Give --api-key or set API_KEY.");
                return 2;
            }

            var options = new SoakOptions(
                new Uri(parse.GetValue(gateway)!), key, parse.GetValue(model)!, Math.Max(1, parse.GetValue(clients)), Math.Max(1, parse.GetValue(turns)),
                parse.GetValue(maxTokens), parse.GetValue(stream), Math.Max(0, parse.GetValue(retries)));
            var summary = await RunAsync(options, ct);
            summary.Print(Console.Out);
            if (parse.GetValue(json) is { } path)
            {
                await File.WriteAllTextAsync(path, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), ct);
            }

            return summary.Lost + summary.Duplicated + summary.Misordered + summary.Unchecked > 0 ? 1 : 0;
        });
        return command;
    }

    private sealed record SoakOptions(Uri Gateway, string ApiKey, string Model, int Clients, int Turns, int MaxTokens, bool Stream, int Retries);

    private static async Task<SoakSummary> RunAsync(SoakOptions o, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = o.Clients, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = o.Gateway, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("x-api-key", o.ApiKey);
        var statuses = new ConcurrentDictionary<string, int>();
        var run = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, o.Clients).Select(c => Task.Run(() => ClientAsync(http, o, run, c, statuses, ct), ct)));
        var elapsed = clock.Elapsed;

        var summary = new SoakSummary { Clients = o.Clients, Turns = o.Turns, Seconds = Math.Round(elapsed.TotalSeconds, 1) };
        foreach (var r in results)
        {
            summary.Acknowledged += r.Acked.Count;
            summary.Failed += r.Failed.Count;
            if (r.History is null)
            {
                summary.Unchecked += r.Acked.Count;
                continue;
            }

            var stored = r.History;
            var positions = new List<int>();
            foreach (var query in r.Acked)
            {
                var at = stored.IndexOf(query);
                if (at < 0)
                {
                    summary.Lost++;
                }
                else
                {
                    positions.Add(at);
                }
            }

            summary.Misordered += positions.Zip(positions.Skip(1)).Count(p => p.Second < p.First);
            summary.Duplicated += stored.GroupBy(s => s).Sum(g => g.Count() - 1);
            summary.Phantom += stored.Count(s => !r.Acked.Contains(s) && r.Failed.Contains(s));
        }

        summary.Statuses = statuses.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value);
        return summary;
    }

    private sealed record ClientResult(List<string> Acked, List<string> Failed, List<string>? History);

    private static async Task<ClientResult> ClientAsync(HttpClient http, SoakOptions o, string run, int client, ConcurrentDictionary<string, int> statuses, CancellationToken ct)
    {
        var acked = new List<string>();
        var failed = new List<string>();
        void Count(string status) => statuses.AddOrUpdate(status, 1, (_, n) => n + 1);

        var session = await RetryAsync(async () =>
        {
            using var response = await http.PostAsync("/llm/sessions", Json(new { model_name = o.Model }), ct);
            Count("POST session " + (int)response.StatusCode);
            return response.StatusCode == HttpStatusCode.Created ? (await ReadAsync(response, ct)).GetProperty("sessionId").GetString() : null;
        }, o.Retries, Count, ct);
        var conversation = session is null ? null : await RetryAsync(async () =>
        {
            using var response = await http.PostAsync($"/llm/sessions/{session}/conversations", null, ct);
            Count("POST conversation " + (int)response.StatusCode);
            return response.StatusCode == HttpStatusCode.Created ? (await ReadAsync(response, ct)).GetProperty("conversationId").GetString() : null;
        }, o.Retries, Count, ct);
        if (conversation is null)
        {
            return new ClientResult(acked, failed, null);
        }

        var path = $"/llm/sessions/{session}/conversations/{conversation}";
        for (var turn = 0; turn < o.Turns; turn++)
        {
            // One text per attempt, so a stored failed attempt is told apart from the acknowledged one.
            var ok = false;
            for (var attempt = 0; attempt <= o.Retries && !ok; attempt++)
            {
                var query = $"soak {run} client {client} turn {turn} attempt {attempt}";
                var status = await QueryAsync(http, path + "/query", query, o, ct);
                Count((o.Stream ? "POST query (SSE) " : "POST query ") + status);
                ok = status is "201" or "200 done";
                (ok ? acked : failed).Add(query);
                if (!ok)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct);
                }
            }
        }

        var history = await RetryAsync(async () =>
        {
            using var response = await http.GetAsync(path, ct);
            Count("GET conversation " + (int)response.StatusCode);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            var json = await ReadAsync(response, ct);
            return json.EnumerateArray().Where(t => t.GetProperty("role").GetString() == "user").Select(t => t.GetProperty("content").GetString()!).ToList();
        }, o.Retries, Count, ct);
        return new ClientResult(acked, failed, history);
    }

    private static async Task<string> QueryAsync(HttpClient http, string path, string query, SoakOptions o, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(new { query, max_tokens = o.MaxTokens }) };
            if (o.Stream)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var code = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            if (!o.Stream || response.StatusCode != HttpStatusCode.OK)
            {
                await response.Content.ReadAsStringAsync(ct);
                return code;
            }

            // The last event names the outcome: done, or error (with its status).
            var last = "(no event)";
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    last = line["event:".Length..].Trim();
                }
            }

            return $"{code} {last}";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return e.GetType().Name;
        }
    }

    private static async Task<T?> RetryAsync<T>(Func<Task<T?>> call, int retries, Action<string> count, CancellationToken ct)
        where T : class
    {
        for (var attempt = 0; attempt <= retries; attempt++)
        {
            try
            {
                if (await call() is { } result)
                {
                    return result;
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                count(e.GetType().Name);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1)), ct);
        }

        return null;
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return document.RootElement.Clone();
    }
}

/// <summary>What a soak run found.</summary>
internal sealed class SoakSummary
{
    public int Clients { get; set; }

    public int Turns { get; set; }

    public double Seconds { get; set; }

    /// <summary>Turns answered 201 (or a stream ending in <c>done</c>).</summary>
    public int Acknowledged { get; set; }

    /// <summary>Attempts that failed (each retried with a new text, up to --retries).</summary>
    public int Failed { get; set; }

    /// <summary>Acknowledged turns missing from the history.</summary>
    public int Lost { get; set; }

    /// <summary>Entries stored more than once.</summary>
    public int Duplicated { get; set; }

    /// <summary>Acknowledged turns stored before one acknowledged earlier.</summary>
    public int Misordered { get; set; }

    /// <summary>Failed attempts that were stored anyway (an answer whose acknowledgement was lost).</summary>
    public int Phantom { get; set; }

    /// <summary>Acknowledged turns whose history could not be read back.</summary>
    public int Unchecked { get; set; }

    public Dictionary<string, int> Statuses { get; set; } = [];

    public void Print(TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"soak: {Clients} clients x {Turns} turns in {Seconds:F1} s: {Acknowledged} acknowledged, {Failed} failed attempts"));
        output.WriteLine($"history: lost {Lost}, duplicated {Duplicated}, misordered {Misordered}, phantom {Phantom}, unchecked {Unchecked}");
        output.WriteLine("statuses:");
        foreach (var (status, count) in Statuses)
        {
            output.WriteLine($"  {status,-28} {count,8}");
        }
    }
}
