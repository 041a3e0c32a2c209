using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Workers;
using Grpc.Net.Client;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>
/// Two real workers behind one gateway: every turn of a conversation lands on the worker the rendezvous hash of its
/// id names (so it finds its whole last turn in that worker's cache), and when one worker dies only its own
/// conversations move; the others keep their cache.
/// </summary>
[TestFixture]
public sealed class ConversationAffinityTests
{
    private const int Conversations = 8;

    private SharedEnvironment _env = null!;
    private WorkerProcess _first = null!;
    private WorkerProcess _second = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _first = await WorkerProcess.StartAsync();
        _second = await WorkerProcess.StartAsync();
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_first.Address, _second.Address]);
        await _gateway.WaitUntilReadyAsync();
        await Wait.UntilAsync(
            async () => (await _gateway.CreateClient(TestKeys.Admin).GetAsync("/llm/models").ExpectJsonAsync(System.Net.HttpStatusCode.OK))
                .GetProperty("workers").EnumerateArray().Count(w => w.GetProperty("healthy").GetBoolean()) == 2,
            TimeSpan.FromSeconds(30),
            "both workers to be healthy");
        _client = _gateway.CreateClient(TestKeys.Alice);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _client?.Dispose();
        await _gateway.DisposeAsync();
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Test]
    public async Task Query_TwoWorkers_EachConversationStaysOnItsRendezvousWorkerAndOnlyTheDeadWorkersConversationsMove()
    {
        var session = await _client.CreateSessionAsync();
        var conversations = new List<(Guid Id, WorkerProcess Home)>();
        for (var i = 0; i < Conversations; i++)
        {
            var id = await _client.CreateConversationAsync(session);
            var home = RendezvousHash.Rank(id.ToString("D"), new[] { _first, _second }, w => w.Address.ToString(), _ => 4).First();
            conversations.Add((id, home));
        }

        Assume.That(conversations.Select(c => c.Home).Distinct().Count(), Is.EqualTo(2), "both workers are someone's home");

        // Two turns each: the second finds the whole first turn (prompt and answer) in cache, so it ran where the first did.
        foreach (var (id, home) in conversations)
        {
            // Distinct from the first word on, so no conversation shares a prefix with another (cross-conversation reuse).
            var first = await TurnAsync(session, id, $"{id:N} Once upon a time there was a cat.");
            var second = await TurnAsync(session, id, "What did the cat do?");
            Assert.That(second.Cached, Is.GreaterThanOrEqualTo(first.Prompt + first.Completion - 2), $"conversation {id}: turn 2 on turn 1's worker");

            // Asked directly, the rendezvous choice holds the conversation: the gateway sent its turns there (its text
            // is unique, so no other conversation could have put it there). Only the home is asked: asking the other
            // worker would cache the conversation there too.
            Assert.That(await CachedOnAsync(home, session, id), Is.GreaterThanOrEqualTo(second.Prompt + second.Completion - 2), $"conversation {id} is on {home.Address}");
        }

        await _first.KillAsync();

        foreach (var (id, home) in conversations)
        {
            var third = await TurnAsync(session, id, "And then?");
            if (home == _second)
            {
                Assert.That(third.Cached, Is.GreaterThan(third.Prompt / 2), $"conversation {id} stayed on the surviving worker, with its cache");
            }
            else
            {
                Assert.That(third.Cached, Is.LessThan(third.Prompt / 2), $"conversation {id} moved to the surviving worker and was prefilled there");
            }
        }
    }

    private async Task<(int Prompt, int Completion, int Cached)> TurnAsync(Guid session, Guid conversation, string query)
    {
        var usage = (await _client.StreamQueryAsync(session, conversation, new { query, max_tokens = 8, temperature = 0 })).Done().GetProperty("usage");
        return (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("cached_tokens").GetInt32());
    }

    /// <summary>Cached tokens a worker reports for the conversation's history plus a probe message (the gateway's rendering).</summary>
    private async Task<int> CachedOnAsync(WorkerProcess worker, Guid session, Guid conversation)
    {
        var turns = await _client.GetTurnsAsync(session, conversation);
        var request = new GenerateRequest
        {
            Model = WorkerProcess.Stories,
            Chat = new ChatMessages(),
            Sampling = new SamplingParams { MaxTokens = 1, Temperature = 0 },
            CacheKey = conversation.ToString("D"),
            FitContext = true,
        };
        request.Chat.Messages.AddRange(turns.Select(t => new ChatMessage { Role = t.Role == "bot" ? "assistant" : "user", Content = t.Content }));
        request.Chat.Messages.Add(new ChatMessage { Role = "user", Content = "probe" });
        using var channel = GrpcChannel.ForAddress(worker.Address);
        using var call = new Inference.InferenceClient(channel).Generate(request, deadline: DateTime.UtcNow.AddSeconds(30));
        GenerateReply? last = null;
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            last = call.ResponseStream.Current;
        }

        return last!.Usage.CachedTokens;
    }
}
