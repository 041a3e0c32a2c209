using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Distributed.Faults.Tests;

/// <summary>
/// Two workers under load, kill -9 of one: only calls already generating on it may fail (streamed), non-streamed
/// queries not even those (the gateway retries them on the other worker); calls started after the kill all succeed.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TwoWorkersTests
{
    private const int Clients = 6;
    private static readonly TimeSpan BeforeKill = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AfterKill = TimeSpan.FromSeconds(3);

    private RedisServerFixture _redis = null!;
    private WorkerProcess _a = null!;
    private WorkerProcess _b = null!;
    private GatewayProcess _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _redis = await RedisServerFixture.StartNewAsync();
        _a = await WorkerProcess.StartAsync("fault-worker-a");
        _b = await WorkerProcess.StartAsync("fault-worker-b");
        _gateway = await GatewayProcess.StartAsync(_redis, [_a.Address, _b.Address]);
        await _gateway.WaitUntilReadyAsync();
    }

    [SetUp]
    public async Task BothWorkersUpAsync()
    {
        await _a.RestartAsync();
        await _b.RestartAsync();
        using var client = _gateway.CreateClient(TestKeys.Admin);
        // Both polled healthy again (the gateway lists each worker's status).
        await Wait.UntilAsync(
            async () =>
            {
                using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/llm/models"));
                var workers = document.RootElement.GetProperty("workers").EnumerateArray().ToArray();
                return workers.Length == 2 && workers.All(w => w.GetProperty("healthy").GetBoolean() && w.GetProperty("worker_id").GetString() is not null);
            },
            Faults.Bound,
            "both workers healthy");
    }

    [OneTimeTearDown]
    public Task TearDownAsync() => Faults.DisposeAllAsync(_gateway, _a, _b, _redis);

    [Test]
    public async Task KillOneWorker_StreamedLoad_OnlyCallsInFlightAtTheKillFail()
    {
        var calls = await RunLoadAsync(streamed: true);

        var failed = calls.Where(c => !c.Ok).ToArray();
        var startedAfter = calls.Where(c => c.Started > calls.KilledAt).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(startedAfter, Is.Not.Empty, "calls were started after the kill");
            Assert.That(startedAfter.Where(c => !c.Ok).Select(c => c.Outcome), Is.Empty, "calls started after the kill");
            Assert.That(failed.Where(c => c.Started > calls.KilledAt || c.Ended < calls.KillingAt).Select(c => c.Outcome), Is.Empty,
                "every failed call was in flight when the worker was killed");
            Assert.That(failed.Length, Is.LessThanOrEqualTo(Clients), "at most the calls then in flight");
        });
    }

    /// <summary>Needs the gateway to retry a non-streamed query whose worker died mid-generation (the reliability branch).</summary>
    [Test]
    public async Task KillOneWorker_NonStreamedLoad_EveryQuerySucceeds()
    {
        var calls = await RunLoadAsync(streamed: false);

        Assert.That(calls.Where(c => c.Started > calls.KilledAt), Is.Not.Empty, "calls were started after the kill");
        Assert.That(calls.Where(c => !c.Ok).Select(c => c.Outcome), Is.Empty, "non-streamed queries all succeed");
    }

    private sealed record Call(long Started, long Ended, bool Ok, string Outcome);

    private sealed class Calls(IEnumerable<Call> calls, long killingAt, long killedAt) : List<Call>(calls)
    {
        public long KillingAt { get; } = killingAt;

        public long KilledAt { get; } = killedAt;
    }

    /// <summary><see cref="Clients"/> clients query in a loop, each on its own conversation; worker A is killed midway.</summary>
    private async Task<Calls> RunLoadAsync(bool streamed)
    {
        using var client = _gateway.CreateClient(timeout: TimeSpan.FromSeconds(20));
        var conversations = new List<(Guid Session, Guid Conversation)>();
        for (var i = 0; i < Clients; i++)
        {
            conversations.Add(await client.NewConversationAsync());
        }

        var clock = Stopwatch.StartNew();
        var results = new ConcurrentBag<Call>();
        using var stop = new CancellationTokenSource();
        var loops = conversations.Select(c => Task.Run(async () =>
        {
            var turn = 0;
            while (!stop.IsCancellationRequested)
            {
                var started = clock.ElapsedTicks;
                var (ok, outcome) = streamed ? await StreamOnceAsync(client, c, turn++) : await QueryOnceAsync(client, c, turn++);
                results.Add(new Call(started, clock.ElapsedTicks, ok, outcome));
            }
        })).ToArray();

        await Task.Delay(BeforeKill);
        var killingAt = clock.ElapsedTicks;
        await _a.KillAsync();
        var killedAt = clock.ElapsedTicks;
        await Task.Delay(AfterKill);
        await stop.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(Faults.Bound);
        Assert.That(results.Count(r => r.Ok && r.Ended < killingAt), Is.GreaterThan(0), "queries succeeded before the kill");
        return new Calls(results, killingAt, killedAt);
    }

    private static async Task<(bool, string)> QueryOnceAsync(HttpClient client, (Guid Session, Guid Conversation) c, int turn)
    {
        try
        {
            using var response = await client.QueryAsync(c.Session, c.Conversation, $"turn {turn}", maxTokens: 8);
            return (response.StatusCode == HttpStatusCode.Created, Faults.Code(response.StatusCode) + " " + await response.Content.ReadAsStringAsync());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.GetType().Name + ": " + e.Message);
        }
    }

    private static async Task<(bool, string)> StreamOnceAsync(HttpClient client, (Guid Session, Guid Conversation) c, int turn)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using var response = await client.StreamAsync(c.Session, c.Conversation, new { query = $"turn {turn}", max_tokens = 8 }, cts.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (false, Faults.Code(response.StatusCode) + " " + await response.Content.ReadAsStringAsync(cts.Token));
            }

            var last = "(no event)";
            await foreach (var e in Api.EventsAsync(response, cts.Token))
            {
                last = e.Event == "delta" ? last : e.Event + " " + e.Data;
            }

            return (last.StartsWith("done", StringComparison.Ordinal), last);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.GetType().Name + ": " + e.Message);
        }
    }
}
