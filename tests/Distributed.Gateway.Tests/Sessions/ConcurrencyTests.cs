using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>Many conversations at once lose, duplicate or reorder nothing; queries on one conversation are serialized.</summary>
[TestFixture]
public sealed class ConcurrencyTests
{
    private const int Conversations = 50;
    private const int TurnsEach = 5;

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
    public async Task Query_50ConversationsConcurrentlyWith5TurnsEach_EveryHistoryIsExactlyItsTurnsInOrder()
    {
        var session = await _client.CreateSessionAsync();
        var conversations = await Task.WhenAll(Enumerable.Range(0, Conversations).Select(_ => _client.CreateConversationAsync(session)));

        var answers = await Task.WhenAll(conversations.Select(async (conversation, c) =>
        {
            var responses = new List<string>();
            for (var t = 0; t < TurnsEach; t++)
            {
                responses.Add(await _client.QueryAsync(session, conversation, new { query = $"Conversation {c} turn {t}", max_tokens = 4 }));
            }

            return responses;
        }));

        Assert.That(conversations.Distinct().Count(), Is.EqualTo(Conversations));
        Assert.That(await _client.ListConversationsAsync(session), Is.EquivalentTo(conversations), "every conversation listed once");
        var histories = await Task.WhenAll(conversations.Select(conversation => _client.GetTurnsAsync(session, conversation)));
        Assert.Multiple(() =>
        {
            for (var c = 0; c < Conversations; c++)
            {
                var expected = Enumerable.Range(0, TurnsEach)
                    .SelectMany(t => new[] { new Turn("user", $"Conversation {c} turn {t}"), new Turn("bot", answers[c][t]) })
                    .ToArray();
                Assert.That(histories[c], Is.EqualTo(expected), $"conversation {c}");
            }
        });
    }

    [Test]
    public async Task Query_TwoAtOnceOnOneConversation_AreSerializedAndBothStored()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);
        const string cat = "Tell me about the cat.";
        const string dog = "Tell me about the dog.";

        var results = await Task.WhenAll(
            StreamAsync(session, conversation, cat),
            StreamAsync(session, conversation, dog));

        var byQuery = new Dictionary<string, System.Text.Json.JsonElement> { [cat] = results[0], [dog] = results[1] };
        var history = await _client.GetTurnsAsync(session, conversation);
        Assert.That(history.Select(t => t.Role), Is.EqualTo(new[] { "user", "bot", "user", "bot" }));
        Assert.That(new[] { history[0].Content, history[2].Content }, Is.EquivalentTo(new[] { cat, dog }));
        var firstDone = byQuery[history[0].Content];
        var secondDone = byQuery[history[2].Content];
        Assert.Multiple(() =>
        {
            Assert.That(history[1].Content, Is.EqualTo(firstDone.GetProperty("response").GetString()));
            Assert.That(history[3].Content, Is.EqualTo(secondDone.GetProperty("response").GetString()));
            // The second one waited for the first and saw its turn: its prompt holds the first question and answer.
            Assert.That(
                secondDone.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(),
                Is.GreaterThan(firstDone.GetProperty("usage").GetProperty("prompt_tokens").GetInt32()));
        });
    }

    [Test]
    public async Task CreateConversation_20AtOnce_AllListedOnce()
    {
        var session = await _client.CreateSessionAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.CreateConversationAsync(session)));

        var listed = await _client.ListConversationsAsync(session);
        Assert.That(listed, Is.EquivalentTo(created));
        Assert.That(listed, Is.Unique);
    }

    private async Task<System.Text.Json.JsonElement> StreamAsync(Guid session, Guid conversation, string query)
    {
        var events = await _client.StreamQueryAsync(session, conversation, new { query, max_tokens = 12, temperature = 0 });
        return events.Done();
    }
}
