using System.Collections.Concurrent;
using System.Net;

namespace Distributed.Faults.Tests;

/// <summary>
/// kill -9 of Redis (append-only file, fsync everysec and always) while clients write turns: every turn acknowledged
/// (201) before the kill is in the history after the restart, in order and once; calls meanwhile get 503 with
/// Retry-After; the same gateway process recovers by itself once Redis is back on its port.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RedisKillTests
{
    private const int Writers = 4;

    private WorkerProcess _worker = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _worker = await WorkerProcess.StartAsync("fault-worker-redis");

    [OneTimeTearDown]
    public Task TearDownAsync() => Faults.DisposeAllAsync(_worker);

    [TestCase("everysec")]
    [TestCase("always")]
    public async Task KillRedis_WhileWriting_AcknowledgedTurnsSurviveAnd503Meanwhile(string fsync)
    {
        await using var redis = await RedisServerFixture.StartNewAsync(RedisServerFixture.AppendOnly(fsync));
        await using var gateway = await GatewayProcess.StartAsync(redis, [_worker.Address], new Dictionary<string, string?>
        {
            // A query whose lock outlived Redis waits briefly, not two minutes (the writers stop at the kill anyway).
            ["Gateway:ConversationLockWait"] = "00:00:01",
            ["Gateway:LeaseDuration"] = "00:00:03",
        });
        await gateway.WaitUntilReadyAsync();
        var gatewayPid = gateway.ProcessId;
        using var client = gateway.CreateClient(timeout: TimeSpan.FromSeconds(15));
        var conversations = new List<(Guid Session, Guid Conversation)>();
        for (var i = 0; i < Writers; i++)
        {
            conversations.Add(await client.NewConversationAsync());
        }

        var acked = conversations.Select(_ => new List<string>()).ToArray();
        var outcomes = new ConcurrentBag<string>();
        var killed = 0;
        var writers = conversations.Select((c, w) => Task.Run(async () =>
        {
            for (var turn = 0; ; turn++)
            {
                var query = $"writer {w} turn {turn}";
                var after = Volatile.Read(ref killed) == 1;
                try
                {
                    using var response = await client.QueryAsync(c.Session, c.Conversation, query, maxTokens: 2);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        lock (acked[w])
                        {
                            acked[w].Add(query);
                        }

                        continue;
                    }

                    outcomes.Add($"{Faults.Code(response.StatusCode)} retry-after={Faults.HasRetryAfter(response)}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    outcomes.Add(e.GetType().Name);
                }

                if (after || Volatile.Read(ref killed) == 1)
                {
                    return;
                }
            }
        })).ToArray();

        await Wait.UntilAsync(() => Task.FromResult(acked.Sum(a => { lock (a) { return a.Count; } }) >= 4 * Writers), Faults.Bound, "turns acknowledged before the kill");
        string[][] ackedBeforeKill;
        await redis.KillAsync();
        Volatile.Write(ref killed, 1);
        await Task.WhenAll(writers).WaitAsync(Faults.Bound);
        // Everything acknowledged was acknowledged before the kill completed or by a write Redis had already applied.
        ackedBeforeKill = acked.Select(a => a.ToArray()).ToArray();

        // During the outage: a store read and a query both answer 503 with Retry-After, quickly.
        using (var read = await client.GetAsync($"/llm/sessions/{conversations[0].Session}"))
        {
            Assert.That(read.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a read during the outage");
            Assert.That(Faults.HasRetryAfter(read), Is.True, "Retry-After on the read");
        }

        var fresh = conversations[0];
        using (var query = await client.QueryAsync(fresh.Session, fresh.Conversation, "during the outage", maxTokens: 2))
        {
            Assert.That(query.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a query during the outage");
            Assert.That(Faults.HasRetryAfter(query), Is.True, "Retry-After on the query");
        }

        Assert.That(outcomes.Where(o => !o.StartsWith("503 retry-after=True", StringComparison.Ordinal)), Is.Empty,
            "every failed write was a 503 with Retry-After");

        await redis.StartAsync();
        // Recovery without a gateway restart: a new conversation and a query on it succeed within seconds.
        await Wait.UntilAsync(
            async () =>
            {
                using var response = await client.PostAsync("/llm/sessions", Api.Json(new { model_name = WorkerProcess.Stories }));
                return response.StatusCode == HttpStatusCode.Created;
            },
            Faults.Bound,
            "the gateway to write to Redis again");
        var (session, conversation) = await client.NewConversationAsync();
        await client.UntilQuerySucceedsAsync(session, conversation, TimeSpan.FromSeconds(10), "Redis's restart");
        Assert.That(gateway.ProcessId, Is.EqualTo(gatewayPid), "the same gateway process");
        Assert.That(gateway.IsRunning, Is.True);

        for (var w = 0; w < Writers; w++)
        {
            var turns = await client.TurnsAsync(conversations[w].Session, conversations[w].Conversation);
            var users = turns.Where(t => t.Role == "user").Select(t => t.Content).ToArray();
            Assert.Multiple(() =>
            {
                Assert.That(users.Intersect(ackedBeforeKill[w]), Is.EqualTo(ackedBeforeKill[w]), $"writer {w}: every acknowledged turn, in order");
                Assert.That(users, Is.Unique, $"writer {w}: no turn twice");
                Assert.That(turns.Select(t => t.Role), Is.EqualTo(Enumerable.Range(0, turns.Count).Select(i => i % 2 == 0 ? "user" : "bot")),
                    $"writer {w}: user and bot alternate");
            });
        }
    }
}
