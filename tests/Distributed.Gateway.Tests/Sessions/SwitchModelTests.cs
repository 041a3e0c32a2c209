using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary><c>POST /llm/sessions/{id}/switch-model</c>: the session's next answers come from the other model.</summary>
[TestFixture]
public sealed class SwitchModelTests
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
    public async Task SwitchModel_KnownModel_Returns201MessageAndUpdatesTheSession()
    {
        var session = await _client.CreateSessionAsync(WorkerProcess.Stories);

        using var response = await _client.PostJsonAsync($"/llm/sessions/{session}/switch-model", new { model_name = WorkerProcess.TinyRandom });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        Assert.That(body.PropertyNames(), Is.EqualTo(new[] { "message" }));
        Assert.That(body.GetProperty("message").GetString(), Is.EqualTo("Model switched successfully"));
        var view = await _client.GetSessionAsync(session);
        Assert.That(view.GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.TinyRandom));
    }

    [Test]
    public async Task SwitchModel_ThenSameQueryAtTemperatureZero_AnswerComesFromTheOtherModel()
    {
        var session = await _client.CreateSessionAsync(WorkerProcess.Stories);
        var query = new { query = "Once upon a time", max_tokens = 12, temperature = 0 };
        var before = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);
        var beforeAgain = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);
        Assume.That(beforeAgain, Is.EqualTo(before), "temperature 0 is deterministic on one model");

        using var switched = await _client.PostJsonAsync($"/llm/sessions/{session}/switch-model", new { model_name = WorkerProcess.TinyRandom });
        await switched.ExpectStatusAsync(HttpStatusCode.Created);
        var after = await _client.QueryAsync(session, await _client.CreateConversationAsync(session), query);

        Assert.That(after, Is.Not.EqualTo(before));
        // And the switch loaded the model ahead of the query, on the worker.
        var models = await _client.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);
        var tiny = models.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == WorkerProcess.TinyRandom);
        Assert.That(tiny.GetProperty("loaded_on").EnumerateArray().Select(a => a.GetString()), Is.EqualTo(new[] { _env.Worker.Address.ToString() }));
    }

    [Test]
    public async Task SwitchModel_BackAndForthInOneConversation_KeepsTheHistory()
    {
        var session = await _client.CreateSessionAsync(WorkerProcess.Stories);
        var conversation = await _client.CreateConversationAsync(session);
        var first = await _client.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4, temperature = 0 });

        using var toTiny = await _client.PostJsonAsync($"/llm/sessions/{session}/switch-model", new { model_name = "llama3" });
        await toTiny.ExpectStatusAsync(HttpStatusCode.Created);
        var second = await _client.QueryAsync(session, conversation, new { query = "And then?", max_tokens = 4, temperature = 0 });

        Assert.That((await _client.GetSessionAsync(session)).GetProperty("model_name").GetString(), Is.EqualTo("llama3"));
        Assert.That(await _client.GetTurnsAsync(session, conversation), Is.EqualTo(new[]
        {
            new Turn("user", "Once upon a time"), new Turn("bot", first),
            new Turn("user", "And then?"), new Turn("bot", second),
        }));
    }
}
