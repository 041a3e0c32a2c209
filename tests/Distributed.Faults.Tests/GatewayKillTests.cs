using System.Diagnostics;
using System.Net;

namespace Distributed.Faults.Tests;

/// <summary>
/// kill -9 of the gateway while it answers a query: the conversation's lock (and the user's generation slot) are
/// leases the running query renews, so once the gateway is back the next query on that conversation succeeds within
/// about two leases, not after a fixed multi-minute expiry. Needs <c>Gateway:LeaseDuration</c> (the reliability branch).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class GatewayKillTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);

    private RedisServerFixture _redis = null!;
    private WorkerProcess _worker = null!;
    private GatewayProcess _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _redis = await RedisServerFixture.StartNewAsync();
        _worker = await WorkerProcess.StartAsync("fault-worker-gateway", longModel: true);
        _gateway = await GatewayProcess.StartAsync(_redis, [_worker.Address], new Dictionary<string, string?>
        {
            ["Gateway:LeaseDuration"] = "00:00:03",
            ["Gateway:MaxTokensCap"] = "4000",
            // Each attempt on a still-locked conversation answers 409 after a second instead of waiting two minutes.
            ["Gateway:ConversationLockWait"] = "00:00:01",
            ["Limits:User:ConcurrentGenerations"] = "1",
        });
        await _gateway.WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public Task TearDownAsync() => Faults.DisposeAllAsync(_gateway, _worker, _redis);

    [Test]
    public async Task KillGateway_DuringQuery_NextQueryOnTheConversationSucceedsWithinTwoLeases()
    {
        using var client = _gateway.CreateClient();
        var (session, conversation) = await client.NewConversationAsync(WorkerProcess.LongModel);
        using var cts = new CancellationTokenSource(Faults.Bound);
        var response = await client.StreamAsync(session, conversation, new { query = "a long answer", max_tokens = 3500, temperature = 1.0 }, cts.Token);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await foreach (var e in Api.EventsAsync(response, cts.Token))
        {
            if (e.Event == "delta")
            {
                // Generating, so the conversation's lock and the generation slot are held.
                await _gateway.KillAsync();
                break;
            }

            Assert.That(e.Event, Is.Not.EqualTo("done"), "the answer must still be running when the gateway is killed");
        }

        response.Dispose();
        Assert.That(_gateway.IsRunning, Is.False);
        await _gateway.StartAsync();
        var restarted = Stopwatch.StartNew();
        await _gateway.WaitUntilReadyAsync();

        using var after = _gateway.CreateClient();
        var took = await after.UntilQuerySucceedsAsync(session, conversation, 2 * Lease + TimeSpan.FromSeconds(2) - restarted.Elapsed, "the gateway's restart");
        TestContext.Out.WriteLine($"The next query succeeded {restarted.Elapsed.TotalSeconds:F1} s after the restart ({took.TotalSeconds:F1} s of retries).");
        var turns = await after.TurnsAsync(session, conversation);
        Assert.That(turns.Select(t => t.Role), Is.EqualTo(new[] { "user", "bot" }), "only the query after the restart is stored");
    }
}
