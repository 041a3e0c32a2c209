using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>
/// Non-streaming queries: the <c>{"response"}</c> shape, the stored turns, generation settings, and the conversation's
/// earlier turns (and the system prompt) reaching the worker as context.
/// </summary>
[TestFixture]
public sealed class QueryTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient();
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [Test]
    public async Task Query_NewConversation_Returns201ResponseAndStoresUserAndBotTurns()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "Once upon a time", max_tokens = 8 });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        Assert.That(body.PropertyNames(), Is.EqualTo(new[] { "response" }));
        var answer = body.GetProperty("response").GetString();
        Assert.That(answer, Is.Not.Empty);
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"),
            new Turn("bot", answer!),
        }));
    }

    [Test]
    public async Task Query_SameQueryTwiceAtTemperatureZero_SecondPromptCarriesTheFirstTurn()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var fresh = await _client.CreateConversationAsync(session);
        var query = new { query = "Once upon a time", max_tokens = 8, temperature = 0 };

        var first = (await _client.StreamQueryAsync(session, conversation, query)).Done();
        var second = (await _client.StreamQueryAsync(session, conversation, query)).Done();
        var third = (await _client.StreamQueryAsync(session, conversation, query)).Done();
        var control = (await _client.StreamQueryAsync(session, fresh, query)).Done();

        var prompts = new[] { first, second, third, control }.Select(d => d.GetProperty("usage").GetProperty("prompt_tokens").GetInt32()).ToArray();
        Assert.Multiple(() =>
        {
            // The worker counted the earlier turns: the same query costs more prompt tokens each turn...
            Assert.That(prompts[1], Is.GreaterThan(prompts[0]), "turn 2 prompt tokens");
            Assert.That(prompts[2], Is.GreaterThan(prompts[1]), "turn 3 prompt tokens");
            // ...but not in a conversation without history.
            Assert.That(prompts[3], Is.EqualTo(prompts[0]), "the same query in a new conversation");
            // The conversation id is the worker's cache key: the second turn reuses the first turn's tokens.
            Assert.That(second.GetProperty("usage").GetProperty("cached_tokens").GetInt32(), Is.GreaterThan(0), "turn 2 cached tokens");
        });
        var history = await _client.GetTurnsAsync(session, conversation);
        Assert.That(history, Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"), new Turn("bot", first.GetProperty("response").GetString()!),
            new Turn("user", "Once upon a time"), new Turn("bot", second.GetProperty("response").GetString()!),
            new Turn("user", "Once upon a time"), new Turn("bot", third.GetProperty("response").GetString()!),
        }));
    }

    [Test]
    public async Task Query_SessionWithSystemPrompt_PromptIncludesIt()
    {
        var plain = await _client.CreateSessionAsync();
        var prompted = await _client.CreateSessionAsync(WorkerProcess.Stories, "You are a storyteller who writes about a little cat named Tom.");
        var query = new { query = "Once upon a time", max_tokens = 4, temperature = 0 };

        var without = (await _client.StreamQueryAsync(plain, await _client.CreateConversationAsync(plain), query)).Done();
        var with = (await _client.StreamQueryAsync(prompted, await _client.CreateConversationAsync(prompted), query)).Done();

        Assert.That(
            with.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
            Is.GreaterThan(without.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() + 5));
    }

    [Test]
    public async Task Query_TemperatureZero_IsDeterministicAcrossConversations()
    {
        var session = await _client.CreateSessionAsync();
        var query = new { query = "Once upon a time", max_tokens = 12, temperature = 0 };

        var a = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);
        var b = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);

        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public async Task Query_MaxTokens_LimitsTheCompletion()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        var done = (await _client.StreamQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 3, temperature = 0 })).Done();

        Assert.Multiple(() =>
        {
            Assert.That(done.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.InRange(1, 3));
            Assert.That(done.GetProperty("finish_reason").GetString(), Is.AnyOf("length", "stop"));
        });
    }

    [Test]
    public async Task Query_AllGenerationSettings_EachTakesEffect()
    {
        var session = await _client.CreateSessionAsync();
        var settings = new { query = "Once upon a time", max_tokens = 24, temperature = 0.8, top_p = 0.9, seed = 42 };
        var unstopped = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), settings);
        var words = unstopped.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assume.That(words, Has.Length.GreaterThanOrEqualTo(3), "the model must say a few words: " + unstopped);
        var stop = " " + words[2];

        var limited = (await _client.StreamQueryAsync(session, await _client.CreateConversationAsync(session), new
        {
            settings.query, max_tokens = 3, settings.temperature, settings.top_p, settings.seed,
        })).Done();
        var conversation = await _client.CreateConversationAsync(session);
        var stopped = (await _client.StreamQueryAsync(session, conversation, new
        {
            settings.query, settings.max_tokens, settings.temperature, settings.top_p, settings.seed, stop = new[] { "\n\n", stop },
        })).Done();

        var answer = stopped.GetProperty("response").GetString()!;
        Assert.Multiple(async () =>
        {
            Assert.That(limited.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.InRange(1, 3), "max_tokens");
            // The same seed, temperature and top_p sample the same text: each answer is a prefix of the unstopped one.
            Assert.That(unstopped, Does.StartWith(limited.GetProperty("response").GetString()!), "seed (max_tokens 3)");
            Assert.That(unstopped, Does.StartWith(answer), "seed (stop)");
            Assert.That(answer, Does.Not.Contain(stop), "stop");
            Assert.That(stopped.GetProperty("finish_reason").GetString(), Is.EqualTo("stop"), "ended by the stop string");
            Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[] { new Turn("user", settings.query), new Turn("bot", answer) }));
        });
    }

    [Test]
    public async Task Query_SameSeed_SameAnswer()
    {
        var session = await _client.CreateSessionAsync();
        var query = new { query = "Once upon a time", max_tokens = 12, temperature = 1.0, seed = 1234 };

        var a = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);
        var b = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);

        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public async Task Query_StopString_IsNotPartOfTheAnswer()
    {
        var session = await _client.CreateSessionAsync();
        var probe = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), new { query = "Once upon a time", max_tokens = 24, temperature = 0 });
        var words = probe.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assume.That(words, Has.Length.GreaterThanOrEqualTo(3), "the model must say a few words: " + probe);
        var stop = " " + words[2];

        var stopped = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), new { query = "Once upon a time", max_tokens = 24, temperature = 0, stop });

        Assert.That(stopped, Does.Not.Contain(stop));
        Assert.That(probe, Does.StartWith(stopped));
    }
}
