using System.Net;

namespace Distributed.Faults.Tests;

/// <summary>
/// kill -9 of the only worker in the middle of a streamed answer: the client gets an <c>error</c> event (not a hang, not
/// a silently cut stream), nothing of the broken turn is stored, and once the worker is back on its port queries succeed
/// within seconds (no gateway restart).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class WorkerKillTests
{
    private RedisServerFixture _redis = null!;
    private WorkerProcess _worker = null!;
    private GatewayProcess _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _redis = await RedisServerFixture.StartNewAsync();
        _worker = await WorkerProcess.StartAsync("fault-worker", longModel: true);
        _gateway = await GatewayProcess.StartAsync(_redis, [_worker.Address], new Dictionary<string, string?>
        {
            ["Gateway:MaxTokensCap"] = "4000",
        });
        await _gateway.WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public Task TearDownAsync() => Faults.DisposeAllAsync(_gateway, _worker, _redis);

    [Test]
    public async Task KillWorker_DuringStreamedAnswer_ErrorEventNothingStoredThenRecovers()
    {
        using var client = _gateway.CreateClient();
        var (session, conversation) = await client.NewConversationAsync(WorkerProcess.LongModel);
        using (var first = await client.QueryAsync(session, conversation, "a first turn"))
        {
            await Api.ExpectAsync(first, HttpStatusCode.Created);
        }

        using var cts = new CancellationTokenSource(Faults.Bound);
        using var response = await client.StreamAsync(session, conversation, new { query = "a long answer", max_tokens = 3500, temperature = 1.0 }, cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var events = new List<Sse>();
        await foreach (var e in Api.EventsAsync(response, cts.Token))
        {
            events.Add(e);
            if (e.Event == "delta" && _worker.IsRunning)
            {
                await _worker.KillAsync();
            }
        }

        var names = events.Select(e => e.Event).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(_worker.IsRunning, Is.False, "the worker was killed while it was answering");
            Assert.That(names, Does.Not.Contain("done"), "the answer cannot have completed");
            Assert.That(names.LastOrDefault(), Is.EqualTo("error"), "the stream ends with an error event: " + string.Join(",", names.Distinct()));
        });
        Assert.That((await client.TurnsAsync(session, conversation)).Count, Is.EqualTo(2), "only the first turn is stored");

        await _worker.RestartAsync();
        await client.UntilQuerySucceedsAsync(session, conversation, TimeSpan.FromSeconds(15), "the worker's restart");
        var turns = await client.TurnsAsync(session, conversation);
        Assert.That(turns.Select(t => t.Role), Is.EqualTo(new[] { "user", "bot", "user", "bot" }));
        Assert.That(turns[0].Content, Is.EqualTo("a first turn"));
    }
}
