using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>State lives in Redis only: a new gateway on the same Redis and key prefix sees every session, conversation and turn.</summary>
[TestFixture]
public sealed class GatewayRestartTests
{
    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task Restart_SamePrefix_HistoryIntactAndConversationContinues()
    {
        var prefix = GatewayHost.NewKeyPrefix();
        Guid session, first, second;
        IReadOnlyList<Turn> history;
        int lastPromptTokens;
        await using (var gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], prefix))
        {
            await gateway.WaitUntilReadyAsync();
            using var client = gateway.CreateClient();
            session = await client.CreateSessionAsync(WorkerProcess.Stories, "Tell stories.");
            first = await client.CreateConversationAsync(session);
            second = await client.CreateConversationAsync(session);
            await client.QueryAsync(session, first, new { query = "Once upon a time", max_tokens = 6, temperature = 0 });
            var done = (await client.StreamQueryAsync(session, first, new { query = "What happened next?", max_tokens = 6, temperature = 0 })).Done();
            lastPromptTokens = done.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
            history = await client.GetTurnsAsync(session, first);
        }

        await using var restarted = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], prefix);
        await restarted.WaitUntilReadyAsync();
        using var again = restarted.CreateClient();

        var view = await again.GetSessionAsync(session);
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(view.GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
            Assert.That(view.GetProperty("system_prompt").GetString(), Is.EqualTo("Tell stories."));
            Assert.That(await again.ListConversationsAsync(session), Is.EqualTo(new[] { first, second }));
            Assert.That(await again.GetTurnsAsync(session, first), Is.EqualTo(history));
            Assert.That(history, Has.Count.EqualTo(4));
            Assert.That(await again.GetTurnsAsync(session, second), Is.Empty);
        });
        var sessions = await again.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(sessions.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()), Is.EqualTo(new[] { session }));

        var next = (await again.StreamQueryAsync(session, first, new { query = "And then?", max_tokens = 6, temperature = 0 })).Done();
        Assert.That(next.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), Is.GreaterThan(lastPromptTokens), "the new gateway sends the stored turns as context");
        Assert.That(await again.GetTurnsAsync(session, first), Has.Count.EqualTo(6));
    }

    [Test]
    public async Task Restart_OtherPrefix_SeesNothing()
    {
        Guid session;
        await using (var gateway = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address]))
        {
            await gateway.WaitUntilReadyAsync();
            using var client = gateway.CreateClient();
            session = await client.CreateSessionAsync();
        }

        await using var other = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address]);
        using var otherClient = other.CreateClient();

        using var response = await otherClient.GetAsync($"/llm/sessions/{session}");
        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }
}
