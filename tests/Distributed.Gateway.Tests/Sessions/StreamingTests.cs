using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>Queries with <c>Accept: text/event-stream</c>: <c>delta</c> events, then <c>done</c>; the turn is stored when it completes.</summary>
[TestFixture]
public sealed class StreamingTests
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
    public async Task StreamQuery_AcceptEventStream_SendsDeltasThenDoneAndStoresTheTurn()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        // 64 tokens of a story hold several sentences: the output sanitizer sends at least one delta per sentence.
        using var response = await _client.SendStreamingQueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 64, temperature = 0 });

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        Assert.That(response.Headers.CacheControl?.NoCache, Is.True);
        var events = await GatewayApi.ReadEventsAsync(response);
        var deltas = events.Take(events.Count - 1).ToArray();
        var done = events.Done();
        Assert.Multiple(() =>
        {
            Assert.That(deltas, Has.Length.GreaterThanOrEqualTo(2), "several delta events");
            Assert.That(deltas.Select(e => e.Event), Is.All.EqualTo("delta"));
            Assert.That(deltas.Select(e => e.Data.PropertyNames()), Is.All.EqualTo(new[] { "delta" }));
            Assert.That(done.PropertyNames(), Is.EqualTo(new[] { "response", "finish_reason", "usage" }));
            Assert.That(done.GetProperty("usage").PropertyNames(), Is.EqualTo(new[] { "prompt_tokens", "completion_tokens", "cached_tokens" }));
        });
        var text = string.Concat(deltas.Select(e => e.Data.GetProperty("delta").GetString()));
        var answer = done.GetProperty("response").GetString()!;
        Assert.Multiple(() =>
        {
            Assert.That(answer, Is.EqualTo(text.Trim()), "done.response is the deltas put together");
            Assert.That(done.GetProperty("finish_reason").GetString(), Is.AnyOf("length", "stop"));
            Assert.That(done.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), Is.GreaterThan(0));
            Assert.That(done.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), Is.InRange(deltas.Length, 64));
        });
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"),
            new Turn("bot", answer),
        }));
    }

    [Test]
    public async Task StreamQuery_SameQueryAsNonStreaming_GivesTheSameAnswer()
    {
        var session = await _client.CreateSessionAsync();
        var query = new { query = "Once upon a time", max_tokens = 16, temperature = 0 };

        var streamed = (await _client.StreamQueryAsync(session, await _client.CreateConversationAsync(session), query)).Done();
        var plain = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);

        Assert.That(streamed.GetProperty("response").GetString(), Is.EqualTo(plain));
    }

    [Test]
    public async Task StreamQuery_InvalidBody_Returns400ProblemNotAStream()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        using var response = await _client.SendStreamingQueryAsync(session, conversation, new { query = "" });

        await response.ExpectBadRequestAsync("query");
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.Empty);
    }

    [Test]
    public async Task StreamQuery_UnknownConversation_Returns404Problem()
    {
        var session = await _client.CreateSessionAsync();

        using var response = await _client.SendStreamingQueryAsync(session, Guid.NewGuid(), new { query = "hi" });

        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task StreamQuery_EveryEventData_IsOneJsonObject()
    {
        var session = await _client.CreateSessionAsync();
        var conversation = await _client.CreateConversationAsync(session);

        var events = await _client.StreamQueryAsync(session, conversation, new { query = "Tell me a story\nabout \"quotes\"", max_tokens = 8 });

        Assert.That(events.Select(e => e.Data.ValueKind), Is.All.EqualTo(JsonValueKind.Object));
        Assert.That((await _client.GetTurnsAsync(session, conversation))[0].Content, Is.EqualTo("Tell me a story\nabout \"quotes\""));
    }
}
