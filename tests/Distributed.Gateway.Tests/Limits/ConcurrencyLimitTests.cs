using System.Net;
using System.Net.Http.Headers;

namespace Distributed.Gateway.Tests.Limits;

/// <summary>
/// Concurrent generations per principal: with a limit of 1, a second generation while the first is in flight gets 429
/// with Retry-After; when the first ends (here: the client cancels it) the slot is free again. The first generation
/// runs on a fake worker that never answers, so it is in flight for exactly as long as the test wants.
/// </summary>
[TestFixture]
public sealed class ConcurrencyLimitTests
{
    private SharedEnvironment _env = null!;
    private FakeWorker _stalling = null!;
    private GatewayHost _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        // The fake serves stories260K with far more free capacity than the real worker, so stories260K goes there (and
        // stalls); llama-2-tiny-random only the real worker has.
        _stalling = await FakeWorker.StartAsync(FakeGenerate.Stall);
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_stalling.Address, _env.Worker.Address], settings: new Dictionary<string, string?>
        {
            ["Limits:User:ConcurrentGenerations"] = "1",
            // Free capacity decides (not the conversation's rendezvous choice), so stories260K surely goes to the fake.
            ["Workers:ConversationAffinity"] = "false",
        });
        await _gateway.WaitUntilReadyAsync();
        await Wait.UntilAsync(
            async () =>
            {
                using var admin = _gateway.CreateClient(TestKeys.Admin);
                var models = await admin.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);
                return models.GetProperty("workers").EnumerateArray().Count(w => w.GetProperty("healthy").GetBoolean()) == 2;
            },
            TimeSpan.FromSeconds(30),
            "both workers to be healthy");
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        await _gateway.DisposeAsync();
        await _stalling.DisposeAsync();
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task ConcurrentGenerations_SecondWhileFirstInFlight_Returns429ThenServedAfterTheFirstIsCancelled(bool streaming)
    {
        using var alice = _gateway.CreateClient(TestKeys.Alice);
        var stalled = await alice.CreateSessionAsync(WorkerProcess.Stories);
        var stalledConversation = await alice.CreateConversationAsync(stalled);
        var real = await alice.CreateSessionAsync(WorkerProcess.TinyRandom);
        var realConversation = await alice.CreateConversationAsync(real);
        var callsBefore = _stalling.GenerateCalls;
        using var cancel = new CancellationTokenSource();
        var request = new HttpRequestMessage(HttpMethod.Post, GatewayApi.QueryPath(stalled, stalledConversation))
        {
            Content = GatewayApi.Json(new { query = "Tell me a very long story", max_tokens = 2048 }),
        };
        if (streaming)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        var first = alice.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(_stalling.GenerateCalls > callsBefore), TimeSpan.FromSeconds(30), "the first generation to reach the worker");

            using var second = await alice.PostJsonAsync(GatewayApi.QueryPath(real, realConversation), new { query = "Hi", max_tokens = 2 });
            using var prompt = await alice.PostJsonAsync("/prompt", new { prompt = "Hi", max_tokens = 2 });

            await second.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.That(second.Headers.RetryAfter?.Delta, Is.Not.Null, "Retry-After");
            await prompt.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
            Assert.That(await alice.GetTurnsAsync(real, realConversation), Is.Empty);

            // The limit is per principal: Bob is served meanwhile.
            using var bob = _gateway.CreateClient(TestKeys.Bob);
            var bobs = await bob.CreateSessionAsync(WorkerProcess.TinyRandom);
            await bob.QueryAsync(bobs, await bob.CreateConversationAsync(bobs), new { query = "Hi", max_tokens = 2 });
        }
        finally
        {
            await cancel.CancelAsync();
            Assert.That(async () => (await first).Dispose(), Throws.InstanceOf<OperationCanceledException>());
        }

        // The gateway sees the client go away, cancels the worker call and frees the slot.
        await Wait.UntilAsync(
            async () => (long)await _env.Inspector.ExecuteAsync("EXISTS", $"{_gateway.KeyPrefix}usage:active:alice") == 0,
            TimeSpan.FromSeconds(30),
            "alice's generation slot to be released");
        var answer = await alice.QueryAsync(real, realConversation, new { query = "Hi", max_tokens = 2 });
        Assert.That(await alice.GetTurnsAsync(real, realConversation), Is.EqualTo(new[] { new Turn("user", "Hi"), new Turn("bot", answer) }));
        Assert.That(await alice.GetTurnsAsync(stalled, stalledConversation), Is.Empty, "the cancelled generation stored nothing");
    }

    [Test]
    public async Task ConcurrentGenerations_OneAfterTheOther_AreAllServed()
    {
        using var carol = _gateway.CreateClient(TestKeys.Carol);
        var session = await carol.CreateSessionAsync(WorkerProcess.TinyRandom);
        var conversation = await carol.CreateConversationAsync(session);

        for (var i = 0; i < 3; i++)
        {
            await carol.QueryAsync(session, conversation, new { query = "Hi", max_tokens = 2 });
        }

        Assert.That((long)await _env.Inspector.ExecuteAsync("EXISTS", $"{_gateway.KeyPrefix}usage:active:carol"), Is.Zero, "every generation entry released");
    }
}
