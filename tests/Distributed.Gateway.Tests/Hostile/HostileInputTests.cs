using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Hostile;

/// <summary>
/// Hundreds of hostile requests (<see cref="HostileCorpus"/>) against a gateway on a Redis of its own: every answer is
/// a 4xx ProblemDetails (or, for what is not even valid HTTP, Kestrel's own empty 4xx), never a 5xx; the gateway keeps
/// serving; and Redis holds exactly what the valid requests among them wrote: nothing at all for a batch of invalid
/// ones, byte for byte, and for a mixed batch exactly the keys and values the valid requests account for (RESP
/// commands sent as content stay content: nothing deleted, nothing flushed).
/// </summary>
[TestFixture]
public sealed class HostileInputTests
{
    private SharedEnvironment _env = null!;
    private RedisServerFixture _redis = null!;
    private RedisInspector _inspector = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _http = null!;
    private Guid _session;
    private Guid _conversation;
    private string _userToken = null!;
    private IReadOnlyList<HostileProbe> _invalid = [];

    private string Prefix => _gateway.KeyPrefix;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _redis = await RedisServerFixture.StartNewAsync();
        _inspector = new RedisInspector(_redis);
        _gateway = await GatewayHost.StartAsync(_redis, [_env.Worker.Address]);
        await _gateway.WaitUntilReadyAsync();
        _http = _gateway.CreateClient(apiKey: null);

        // What the probes aim at: a session with a conversation and history, a user with a token and a key.
        using var alice = _gateway.CreateClient(TestKeys.Alice);
        _session = await alice.CreateSessionAsync(systemPrompt: "Tell short stories.");
        _conversation = await alice.CreateConversationAsync(_session);
        await alice.QueryAsync(_session, _conversation, new { query = "Once upon a time", max_tokens = 2 });
        var (_, user, token) = await _gateway.NewUserClientAsync("hostile");
        using var owned = user;
        _userToken = token;
        await user.CreateKeyAsync("the user's key");
        await user.CreateSessionAsync();

        // Another application's data in the same Redis, including the key the smuggled DEL names.
        await _inspector.ExecuteAsync("SET", "mykey", "still here");
        await _inspector.ExecuteAsync("SET", "hostile:sentinel", "keep me");
        await _inspector.ExecuteAsync("HSET", "other-app:data", "field", "value");

        _invalid = HostileCorpus.Invalid(_session, _conversation, _gateway.BaseAddress, TestKeys.Alice, TestKeys.Admin);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
        await _inspector.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Test]
    public async Task Corpus_EveryRoute_AnswersItsHostileRequestsWithItsOwnProblem()
    {
        var routes = new[]
        {
            "POST /llm/sessions", "PATCH /llm/sessions/", "DELETE /llm/sessions/", "/conversations", "/query", "/switch-model",
            "/llm/models", "POST /user/register", "POST /auth/login", "POST /auth/keys", "GET /auth/keys", "DELETE /auth/keys/",
            "GET /admin/users", "/admin/models/", "/disable", "/enable", "POST /prompt",
        };
        Assert.That(_invalid, Has.Count.GreaterThanOrEqualTo(300));

        var failures = new List<string>();
        foreach (var route in routes)
        {
            // The route's probes sent through HttpClient (raw ones may not even be HTTP): the route itself must answer at
            // least one of them, a ProblemDetails with the route's own detail (the bodiless 404 of an unknown path and 405 of a
            // wrong method carry none).
            var probes = _invalid.Where(p => p.Raw is null && $"{p.Method} {p.Path}".Contains(route, StringComparison.Ordinal)).Take(5).ToArray();
            var outcomes = new List<HostileOutcome>();
            foreach (var probe in probes)
            {
                outcomes.Add(await SendAsync(probe));
            }

            if (!outcomes.Any(o => o.MediaType == "application/problem+json" && o.Status is >= 400 and < 500 && Check(o) is null
                && JsonDocument.Parse(o.Body).RootElement.TryGetProperty("detail", out _)))
            {
                failures.Add($"{route}: {probes.Length} probes, answers {string.Join(", ", outcomes.Select(o => o.Status))}");
            }
        }

        Assert.That(failures, Is.Empty, "routes that did not answer their own hostile requests");
    }

    [Test]
    public async Task InvalidRequests_EveryOne_Gets4xxProblemAndRedisIsByteForByteUnchanged()
    {
        var before = await _inspector.DumpAsync();

        var outcomes = new List<HostileOutcome>();
        foreach (var probe in _invalid)
        {
            outcomes.Add(await SendAsync(probe));
        }

        var after = await _inspector.DumpAsync();
        var failures = outcomes.Select(Check).OfType<string>().ToArray();
        Assert.That(failures, Is.Empty, $"{failures.Length} of {outcomes.Count} answers were wrong:\n" + string.Join("\n", failures.Take(60)));
        Assert.That(outcomes.Count(o => o.Status >= 500), Is.Zero);
        AssertSameData(before, after, expectedChanges: []);
        await AssertStillServingAsync();
    }

    [Test]
    public async Task MixedRequests_RedisHoldsExactlyWhatTheValidOnesWrote()
    {
        var before = await _inspector.DumpAsync();
        var invalid = _invalid.Where((_, i) => i % 5 == 0).ToArray();
        var created = new List<string>();
        var changed = new List<string>();
        using var alice = _gateway.CreateClient(TestKeys.Alice);
        var resp1 = "Stories." + HostileCorpus.RespDelete + HostileCorpus.RespFlushAll;
        var query = "Tell me" + HostileCorpus.RespDelete;
        var email = AccountApi.NewEmail("resp");
        var loginEmail = HostileCorpus.RespFlushAll + "@example.com";
        Guid newSession = default;
        string newKey = null!;
        string newUser = null!;
        var valid = new Func<Task>[]
        {
            async () =>
            {
                newSession = await alice.CreateSessionAsync(systemPrompt: resp1);
                created.Add($"{Prefix}{{{newSession}}}:session");
                changed.Add($"{Prefix}principal:alice:sessions");
            },
            async () =>
            {
                await alice.PatchAsync($"/llm/sessions/{_session}", GatewayApi.Json(new { system_prompt = HostileCorpus.RespFlushAll })).ExpectJsonAsync(HttpStatusCode.OK);
                changed.Add($"{Prefix}{{{_session}}}:session");
            },
            async () =>
            {
                await alice.QueryAsync(_session, _conversation, new { query, max_tokens = 2, stop = new[] { HostileCorpus.RespFlushAll }, temperature = 1e-300 });
                changed.AddRange([$"{Prefix}{{{_session}}}:conversation:{_conversation}", $"{Prefix}{{{_session}}}:conversation:{_conversation}:messages"]);
            },
            async () =>
            {
                newKey = (await alice.CreateKeyAsync(HostileCorpus.RespDelete)).GetProperty("key").GetString()!;
                created.Add($"{Prefix}apikey:{Sha256(newKey)}");
                (before.ContainsKey($"{Prefix}principal:alice:keys") ? changed : created).Add($"{Prefix}principal:alice:keys");
            },
            async () =>
            {
                using var anonymous = _gateway.CreateClient(apiKey: null);
                var user = await anonymous.PostJsonAsync("/user/register", new
                {
                    email,
                    firstName = HostileCorpus.RespDelete,
                    lastName = HostileCorpus.RespFlushAll,
                    password = AccountApi.StrongPassword,
                }).ExpectJsonAsync(HttpStatusCode.Created);
                newUser = user.GetProperty("id").GetString()!;
                created.AddRange([$"{Prefix}user:{newUser}", $"{Prefix}user-email:{Sha256(email.ToLowerInvariant())}"]);
                changed.Add($"{Prefix}users");
            },
            async () =>
            {
                using var failed = await _gateway.SendLoginAsync(loginEmail, HostileCorpus.RespDelete);
                await failed.ExpectProblemAsync(HttpStatusCode.Unauthorized);
                created.AddRange(
                [
                    $"{Prefix}login-failures:email:{Sha256(loginEmail.ToLowerInvariant())}",
                    $"{Prefix}login-failures:address-email:{Sha256("127.0.0.1")}:{Sha256(loginEmail.ToLowerInvariant())}",
                    $"{Prefix}login-failures:address:{Sha256("127.0.0.1")}",
                ]);
            },
            async () => await alice.PostJsonAsync("/prompt", new { prompt = "Tell me" + HostileCorpus.RespFlushAll, max_tokens = 2 }).ExpectJsonAsync(HttpStatusCode.OK),
            async () => await alice.PostJsonAsync($"/llm/sessions/{_session}/switch-model", new { model_name = "llama2" }).ExpectJsonAsync(HttpStatusCode.Created),
        };

        var outcomes = new List<HostileOutcome>();
        var every = invalid.Length / valid.Length;
        for (var i = 0; i < invalid.Length; i++)
        {
            if (i % every == 0 && i / every < valid.Length)
            {
                await valid[i / every]();
            }

            outcomes.Add(await SendAsync(invalid[i]));
        }

        var after = await _inspector.DumpAsync();
        var failures = outcomes.Select(Check).OfType<string>().ToArray();
        Assert.That(failures, Is.Empty, string.Join("\n", failures.Take(60)));
        Assert.That(newUser, Is.Not.Null, "every valid request ran");
        Assert.That(after.Keys.Except(before.Keys), Is.EquivalentTo(created), "the new keys are exactly those the valid requests account for");
        changed.Add($"{Prefix}{{{_session}}}:session");
        AssertSameData(before, after, expectedChanges: [.. created, .. changed]);

        // What the valid requests stored is the text they sent, RESP and all, in values only.
        Assert.Multiple(async () =>
        {
            Assert.That(await HGet($"{{{newSession}}}:session", "system_prompt"), Is.EqualTo(resp1));
            Assert.That(await HGet($"{{{_session}}}:session", "system_prompt"), Is.EqualTo(HostileCorpus.RespFlushAll));
            Assert.That(await HGet($"{{{_session}}}:session", "model"), Is.EqualTo("llama2"));
            Assert.That(await HGet($"apikey:{Sha256(newKey)}", "name"), Is.EqualTo(HostileCorpus.RespDelete));
            // Names are stored trimmed, like every account's.
            Assert.That(await HGet($"user:{newUser}", "first_name"), Is.EqualTo(HostileCorpus.RespDelete.Trim()));
            Assert.That(await HGet($"user:{newUser}", "last_name"), Is.EqualTo(HostileCorpus.RespFlushAll.Trim()));
            var turns = await alice.GetTurnsAsync(_session, _conversation);
            Assert.That(turns[^2], Is.EqualTo(new Turn("user", query)));
            Assert.That((await _inspector.ExecuteAsync("GET", "mykey")).AsString(), Is.EqualTo("still here"));
            Assert.That(after.Keys.Where(k => k.Contains('\r') || k.Contains('\n') || k.Contains("FLUSHALL", StringComparison.Ordinal)), Is.Empty);
        });
        await AssertStillServingAsync();
    }

    private async Task<HostileOutcome> SendAsync(HostileProbe probe)
    {
        if (probe.Raw is not null)
        {
            var raw = await RawHttp.SendAsync(_gateway.BaseAddress, probe.Raw);
            return new HostileOutcome(probe, raw.Status, raw.MediaType, raw.Text, raw.Headers.Keys.ToArray());
        }

        var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Path);
        if (probe.Body is not null)
        {
            request.Content = new ByteArrayContent(probe.Body);
            if (probe.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
            }
        }

        switch (probe.Caller)
        {
            case Caller.Alice:
                request.Headers.Add("x-api-key", TestKeys.Alice);
                break;
            case Caller.Admin:
                request.Headers.Add("x-api-key", TestKeys.Admin);
                break;
            case Caller.User:
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + _userToken);
                break;
        }

        foreach (var (name, value) in probe.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var names = response.Headers.Select(h => h.Key).Concat(response.Content.Headers.Select(h => h.Key)).ToArray();
        return new HostileOutcome(probe, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, names);
    }

    /// <summary>Null when the answer is right; otherwise what is wrong with it.</summary>
    private static string? Check(HostileOutcome outcome)
    {
        var probe = outcome.Probe;
        var body = outcome.Body.Length > 300 ? outcome.Body[..300] + "..." : outcome.Body;
        if (outcome.Status >= 500)
        {
            return $"{probe}: {outcome.Status} {body}";
        }

        if (!probe.Expected.Contains(outcome.Status))
        {
            return $"{probe}: expected {string.Join(" or ", probe.Expected)}, got {outcome.Status} {body}";
        }

        if (outcome.HeaderNames.Any(h => h.Equals("X-Injected", StringComparison.OrdinalIgnoreCase)))
        {
            return $"{probe}: an injected header came back";
        }

        if (outcome.Body.Contains("\"disabled\":", StringComparison.Ordinal) || outcome.Body.Contains("password_hash", StringComparison.Ordinal))
        {
            return $"{probe}: user data (an admin listing?) in the answer: {body}";
        }

        if (outcome.MediaType == "application/problem+json")
        {
            try
            {
                using var problem = JsonDocument.Parse(outcome.Body);
                var root = problem.RootElement;
                if (!root.TryGetProperty("status", out var status) || status.GetInt32() != outcome.Status || !root.TryGetProperty("title", out _))
                {
                    return $"{probe}: ProblemDetails without the right status and a title: {body}";
                }

                if (probe.Field is not null && outcome.Status == 400
                    && (!root.TryGetProperty("errors", out var errors) || !errors.TryGetProperty(probe.Field, out _)))
                {
                    return $"{probe}: the 400 does not name '{probe.Field}': {body}";
                }

                return null;
            }
            catch (JsonException)
            {
                return $"{probe}: problem+json that is not JSON: {body}";
            }
        }

        return probe.ServerMayReject && outcome.Body.Length == 0
            ? null
            : $"{probe}: {outcome.Status} without ProblemDetails ({outcome.MediaType ?? "no content type"}): {body}";
    }

    private static void AssertSameData(SortedDictionary<string, string> before, SortedDictionary<string, string> after, IReadOnlyCollection<string> expectedChanges)
    {
        var removed = before.Keys.Except(after.Keys).ToArray();
        var added = after.Keys.Except(before.Keys).Except(expectedChanges).ToArray();
        var modified = before.Keys.Intersect(after.Keys).Where(k => before[k] != after[k] && !expectedChanges.Contains(k)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.Empty, "keys that disappeared");
            Assert.That(added, Is.Empty, "keys no valid request accounts for");
            Assert.That(modified, Is.Empty, "values no valid request accounts for");
        });
    }

    private async Task AssertStillServingAsync()
    {
        using (var live = await _http.GetAsync("/health/live"))
        {
            await live.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using (var ready = await _http.GetAsync("/health/ready"))
        {
            await ready.ExpectStatusAsync(HttpStatusCode.OK);
        }

        using var alice = _gateway.CreateClient(TestKeys.Alice);
        var conversation = await alice.CreateConversationAsync(_session);
        var answer = await alice.QueryAsync(_session, conversation, new { query = "Once upon a time", max_tokens = 2 });
        Assert.That(await alice.GetTurnsAsync(_session, conversation), Is.EqualTo(new[] { new Turn("user", "Once upon a time"), new Turn("bot", answer) }));
    }

    private async Task<string?> HGet(string key, string field) => (await _inspector.ExecuteAsync("HGET", Prefix + key, field)).AsString();

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
