using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>
/// A conversation whose history is far longer than the model's context (stories260K is served with 512 tokens a
/// sequence) is still answered: the oldest turns are dropped to fit, the new query always stays, and the prompt the
/// worker counted stays under the context. The history itself is never shortened.
/// </summary>
[TestFixture]
public sealed class ContextTrimTests
{
    private const int ContextTokens = 512;

    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;

    public static IEnumerable<TestCaseData> Histories()
    {
        yield return new TestCaseData(
            "Once upon a time there was a little girl who loved to play in the park with her dog and her friends every day. ",
            20).SetArgDisplayNames("prose, about 4 characters a token");
        // Digits cost about a token each: the gateway's first estimate (3 characters a token) is far off, so the worker
        // refuses the first prompt and the gateway must trim again from the worker's count.
        yield return new TestCaseData(
            "0123456789 9876543210 1357913579 2468024680 1122334455 6677889900 0987654321 1234512345 5432154321 1029384756 ",
            20).SetArgDisplayNames("digits, about 1 character a token");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient(TestKeys.Alice);
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [TestCaseSource(nameof(Histories))]
    public async Task StreamQuery_HistoryLongerThanTheContext_IsAnsweredWithinTheContext(string turnText, int pairs)
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var seeded = await SeedHistoryAsync(session, conversation, turnText, pairs);
        Assert.That(seeded.Sum(t => t.Content.Length), Is.GreaterThan(ContextTokens * 8), "the history alone is far over the context");

        var events = await _client.StreamQueryAsync(session, conversation, new { query = "What happened next?", max_tokens = 32 });

        var usage = events.Done().GetProperty("usage");
        var prompt = usage.GetProperty("prompt_tokens").GetInt32();
        var completion = usage.GetProperty("completion_tokens").GetInt32();
        Assert.Multiple(async () =>
        {
            Assert.That(prompt, Is.LessThan(ContextTokens), "prompt tokens the worker counted");
            Assert.That(prompt + completion, Is.LessThanOrEqualTo(ContextTokens));
            Assert.That(completion, Is.GreaterThan(0));
            var history = await _client.GetTurnsAsync(session, conversation);
            Assert.That(history.Take(seeded.Count), Is.EqualTo(seeded), "the stored history is kept whole");
            Assert.That(history.Skip(seeded.Count).Select(t => t.Role), Is.EqualTo(new[] { "user", "bot" }));
            Assert.That(history[seeded.Count].Content, Is.EqualTo("What happened next?"));
        });
    }

    [Test]
    public async Task Query_HistoryLongerThanTheContext_NonStreamingIsAnswered201()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        await SeedHistoryAsync(session, conversation, "The dog ran to the park and found a big red ball under a tree near the pond. ", 30);

        using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "And then?", max_tokens = 16 });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        Assert.That(await _client.GetTurnsAsync(session, conversation), Has.Count.EqualTo(62));
    }

    [Test]
    public async Task Query_GrowingConversationThroughTheApi_KeepsBeingAnswered()
    {
        // No seeding: turns added by the API until the history is well over the context.
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        var query = "Tell me more about the little girl and her dog who played in the park near the big old tree, and what they found there one sunny day.";

        for (var turn = 0; turn < 8; turn++)
        {
            var done = (await _client.StreamQueryAsync(session, conversation, new { query, max_tokens = 48 })).Done();
            Assert.That(done.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), Is.LessThan(ContextTokens), $"turn {turn + 1}");
        }

        var history = await _client.GetTurnsAsync(session, conversation);
        Assert.That(history, Has.Count.EqualTo(16));
        Assert.That(history.Sum(t => t.Content.Length), Is.GreaterThan(ContextTokens * 2), "the history outgrew the context");
    }

    /// <summary>Writes user/bot turns straight into the conversation's message list, as earlier answers would have.</summary>
    private async Task<IReadOnlyList<Turn>> SeedHistoryAsync(Guid session, Guid conversation, string text, int pairs)
    {
        var turns = new List<Turn>();
        for (var i = 0; i < pairs; i++)
        {
            turns.Add(new Turn("user", $"Question {i}: {text}{text}"));
            turns.Add(new Turn("bot", $"Answer {i}: {text}{text}{text}"));
        }

        var key = $"{_env.Gateway.KeyPrefix}{{{session}}}:conversation:{conversation}:messages";
        foreach (var turn in turns)
        {
            await _env.Inspector.ExecuteAsync("RPUSH", key, JsonSerializer.Serialize(new { role = turn.Role, content = turn.Content }));
        }

        return turns;
    }
}
