using System.Diagnostics;
using System.Net;

namespace Distributed.Gateway.Tests.Sessions;

/// <summary>
/// The conversation lock and each running generation's concurrency entry are leases of <c>Gateway:LeaseDuration</c>
/// (short here): a running query holds them with a short expiry and renews them, so a holder that vanished (a crashed
/// gateway: simulated by writing its lease directly, as it would have left it) frees them within one lease, while a
/// query running for many leases keeps them. The gateway's only worker is a <see cref="FakeWorker"/> answering a
/// scripted text slowly, so a query runs for exactly as long as the test wants.
/// </summary>
[TestFixture]
public sealed class LeaseTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    private SharedEnvironment _env = null!;
    private FakeWorker _worker = null!;
    private GatewayHost _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _worker = await FakeWorker.StartAsync(FakeGenerate.Script);
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_worker.Address], settings: new Dictionary<string, string?>
        {
            ["Gateway:LeaseDuration"] = Lease.ToString(),
            ["Gateway:ConversationLockWait"] = "00:00:00.300",
            ["Limits:User:ConcurrentGenerations"] = "2",
        });
        await _gateway.WaitUntilReadyAsync();
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        await _gateway.DisposeAsync();
        await _worker.DisposeAsync();
    }

    [SetUp]
    public void Fast()
    {
        _worker.Script = ["Once ", "upon ", "a ", "time ", "there ", "was ", "a ", "cat ", "who ", "slept."];
        _worker.ScriptDelay = TimeSpan.Zero;
    }

    [Test]
    public async Task Query_LockLeftByAVanishedHolder_IsFreeWithinOneLease()
    {
        using var client = _gateway.CreateClient(TestKeys.Alice);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var lockKey = $"{_gateway.KeyPrefix}{{{session:D}}}:conversation:{conversation:D}:lock";
        // What a gateway that crashed mid-query leaves behind: its lock with at most one lease to run, never renewed.
        await _env.Inspector.ExecuteAsync("SET", lockKey, "crashed-replica", "PX", (long)Lease.TotalMilliseconds);

        using var busy = await client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 });
        await busy.ExpectProblemAsync(HttpStatusCode.Conflict);
        var clock = Stopwatch.StartNew();
        await Wait.UntilAsync(
            async () =>
            {
                using var retry = await client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 });
                return retry.StatusCode == HttpStatusCode.Created;
            },
            Lease + TimeSpan.FromSeconds(10),
            "a query on the conversation to be answered once the vanished holder's lease lapsed");

        Assert.That(await client.GetTurnsAsync(session, conversation), Has.Count.EqualTo(2), "answered once and stored");
        Assert.That(clock.Elapsed, Is.LessThan(Lease + TimeSpan.FromSeconds(10)));
    }

    [Test]
    public async Task Query_GenerationEntryLeftByAVanishedHolder_StopsCountingWithinOneLease()
    {
        using var client = _gateway.CreateClient(TestKeys.Bob);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var active = $"{_gateway.KeyPrefix}usage:active:bob";
        var now = await RedisNowMsAsync();
        // A crashed gateway's two running generations (the limit): entries expiring one lease from now, never renewed or removed.
        await _env.Inspector.ExecuteAsync("ZADD", active, now + (long)Lease.TotalMilliseconds, "crashed-generation-1", now + (long)Lease.TotalMilliseconds, "crashed-generation-2");
        await _env.Inspector.ExecuteAsync("PEXPIRE", active, (long)Lease.TotalMilliseconds);

        using var limited = await client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 });
        await limited.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        await Wait.UntilAsync(
            async () =>
            {
                using var retry = await client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 });
                return retry.StatusCode == HttpStatusCode.Created;
            },
            Lease + TimeSpan.FromSeconds(10),
            "bob's generation to be admitted once the vanished generation's lease lapsed");

        Assert.That((long)await _env.Inspector.ExecuteAsync("EXISTS", active), Is.Zero, "the finished generation's entry is released at once");
    }

    [Test]
    public async Task Query_Running_HoldsShortLeasesNotTheGenerationTimeout()
    {
        _worker.ScriptDelay = TimeSpan.FromMilliseconds(300);
        using var client = _gateway.CreateClient(TestKeys.Carol);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var lockKey = $"{_gateway.KeyPrefix}{{{session:D}}}:conversation:{conversation:D}:lock";
        var active = $"{_gateway.KeyPrefix}usage:active:carol";
        var calls = _worker.GenerateCalls;

        var query = client.QueryAsync(session, conversation, new { query = "hi", max_tokens = 16 });
        await Wait.UntilAsync(() => Task.FromResult(_worker.GenerateCalls > calls), TimeSpan.FromSeconds(30), "the query to reach the worker");
        var lockTtl = (long)await _env.Inspector.ExecuteAsync("PTTL", lockKey);
        var entries = (RedisResultArray)await _env.Inspector.ExecuteAsync("ZRANGE", active, 0, -1, "WITHSCORES");
        var now = await RedisNowMsAsync();
        await query;

        Assert.Multiple(() =>
        {
            Assert.That(lockTtl, Is.InRange(1, (long)Lease.TotalMilliseconds), "the lock's PTTL is at most one lease");
            Assert.That(entries.Values, Has.Length.EqualTo(2), "one running generation");
            Assert.That(long.Parse(entries.Values[1]) - now, Is.InRange(1, (long)Lease.TotalMilliseconds), "its entry expires within one lease");
        });
    }

    [Test]
    public async Task Query_RunningForManyLeases_KeepsTheLockAndItsSlot()
    {
        // 40 deltas 350 ms apart: about 14 s, seven leases; the second query comes after three, well before the end.
        _worker.Script = [.. Enumerable.Range(0, 40).Select(i => $"word{i} ")];
        _worker.ScriptDelay = TimeSpan.FromMilliseconds(350);
        using var client = _gateway.CreateClient(TestKeys.Alice);
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var lockKey = $"{_gateway.KeyPrefix}{{{session:D}}}:conversation:{conversation:D}:lock";
        var active = $"{_gateway.KeyPrefix}usage:active:alice";

        using var response = await client.SendStreamingQueryAsync(session, conversation, new { query = "Tell me a story", max_tokens = 16 });
        await response.ExpectStatusAsync(HttpStatusCode.OK);
        await Wait.UntilAsync(async () => (long)await _env.Inspector.ExecuteAsync("EXISTS", lockKey) == 1, TimeSpan.FromSeconds(10), "the lock to be taken");
        var holder = (await _env.Inspector.ExecuteAsync("GET", lockKey)).AsString();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var clock = Stopwatch.StartNew();
        // Read the stream until three leases have passed since the lock was taken (the text arrives as it is made).
        while (clock.Elapsed < Lease * 3)
        {
            var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(line, Is.Not.Null, "the stream ended before three leases had passed");
        }

        var liveEntries = (long)await _env.Inspector.ExecuteAsync("ZCOUNT", active, await RedisNowMsAsync(), "+inf");
        using var second = await client.PostJsonAsync(GatewayApi.QueryPath(session, conversation), new { query = "hi", max_tokens = 2 });
        var stillHeldBy = (await _env.Inspector.ExecuteAsync("GET", lockKey)).AsString();
        await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));

        await second.ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Multiple(async () =>
        {
            Assert.That(holder, Is.Not.Null);
            Assert.That(stillHeldBy, Is.EqualTo(holder), "the same holder, renewed, not retaken");
            Assert.That(liveEntries, Is.EqualTo(1), "the running generation still counts after three leases");
            Assert.That(await client.GetTurnsAsync(session, conversation), Has.Count.EqualTo(2), "the long answer is stored");
            Assert.That(await _env.Inspector.KeysAsync(lockKey), Is.Empty, "released at the end");
            Assert.That((long)await _env.Inspector.ExecuteAsync("EXISTS", active), Is.Zero, "its generation entry too");
        });
    }

    private async Task<long> RedisNowMsAsync()
    {
        var time = (RedisResultArray)await _env.Inspector.ExecuteAsync("TIME");
        return (long.Parse(time.Values[0]) * 1000) + (long.Parse(time.Values[1]) / 1000);
    }

    /// <summary>An array reply's elements as strings.</summary>
    private readonly record struct RedisResultArray(string[] Values)
    {
        public static explicit operator RedisResultArray(StackExchange.Redis.RedisResult result) =>
            new(((StackExchange.Redis.RedisResult[])result!).Select(r => r.ToString()!).ToArray());
    }
}
