using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Workers;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>Conversation-affine routing: rendezvous hashing with bounded load, over workers whose state the test sets.</summary>
[TestFixture]
public sealed class WorkerRouterTests
{
    private const string Model = "stories260K";

    [Test]
    public void Rank_SameKeyAnyOrder_SameRanking()
    {
        string[] nodes = ["http://10.0.0.1:4000/", "http://10.0.0.2:4000/", "http://10.0.0.3:4000/"];

        var forward = RendezvousHash.Rank("conversation-1", nodes, n => n).ToArray();
        var backward = RendezvousHash.Rank("conversation-1", nodes.Reverse(), n => n).ToArray();

        Assert.That(backward, Is.EqualTo(forward));
    }

    [Test]
    public void Rank_ManyKeys_SpreadOverAllNodes()
    {
        string[] nodes = ["a", "b", "c", "d"];

        var firsts = Enumerable.Range(0, 2000).Select(i => RendezvousHash.Rank($"key-{i}", nodes, n => n).First())
            .GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());

        Assert.That(firsts.Keys, Is.EquivalentTo(nodes));
        Assert.That(firsts.Values, Is.All.InRange(400, 600), "each of 4 nodes is the first choice for about a quarter of the keys");
    }

    [Test]
    public void Rank_NodeLeaves_OnlyItsKeysMove()
    {
        string[] nodes = ["a", "b", "c", "d"];
        string[] remaining = ["a", "b", "d"];
        var moved = 0;

        for (var i = 0; i < 2000; i++)
        {
            var before = RendezvousHash.Rank($"key-{i}", nodes, n => n).First();
            var after = RendezvousHash.Rank($"key-{i}", remaining, n => n).First();
            if (before != "c")
            {
                Assert.That(after, Is.EqualTo(before), $"key-{i} was on {before}, which stayed");
            }
            else
            {
                moved++;
            }
        }

        Assert.That(moved, Is.GreaterThan(0));
    }

    [Test]
    public void Rank_Weighted_FirstChoiceSharesFollowTheWeights()
    {
        string[] nodes = ["small", "large"];

        var large = Enumerable.Range(0, 4000)
            .Count(i => RendezvousHash.Rank($"key-{i}", nodes, n => n, n => n == "large" ? 3 : 1).First() == "large");

        Assert.That(large, Is.InRange(2800, 3200), "a node of weight 3 next to one of weight 1 takes about three quarters");
    }

    [Test]
    public async Task Pick_SameConversation_SameWorkerEveryTime()
    {
        using var pool = await PoolAsync(3);
        var router = Router(pool);

        var picks = Enumerable.Range(0, 10).Select(_ => router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1")).Distinct().ToArray();

        Assert.That(picks, Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Pick_ManyConversations_UseEveryWorker()
    {
        using var pool = await PoolAsync(3);
        var router = Router(pool);

        var used = Enumerable.Range(0, 60).Select(i => router.Pick(Model, new HashSet<WorkerEndpoint>(), $"conversation-{i}")!.Address).Distinct();

        Assert.That(used.Count(), Is.EqualTo(3));
    }

    [Test]
    public async Task Pick_ConversationsWorkerMuchBusier_SpillsToNextChoice()
    {
        using var pool = await PoolAsync(3);
        var router = Router(pool);
        var first = router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1")!;
        SetLoad(first, 12);

        var picked = router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1")!;

        var expected = RendezvousHash.Rank("conversation-1", pool.Endpoints, e => e.Address.ToString(), _ => 4).ElementAt(1);
        Assert.That(picked, Is.SameAs(expected));
    }

    [Test]
    public async Task Pick_ConversationsWorkerSlightlyBusier_StaysThere()
    {
        using var pool = await PoolAsync(3);
        var router = Router(pool);
        var first = router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1")!;
        foreach (var endpoint in pool.Endpoints)
        {
            SetLoad(endpoint, endpoint == first ? 3 : 2);
        }

        Assert.That(router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1"), Is.SameAs(first));
    }

    [Test]
    public async Task Pick_ConversationsWorkerUnhealthyOrExcluded_NextChoiceThenBackWhenHealthy()
    {
        using var pool = await PoolAsync(3);
        var router = Router(pool);
        var ranked = RendezvousHash.Rank("conversation-1", pool.Endpoints, e => e.Address.ToString(), _ => 4).ToArray();

        ranked[0].Healthy = false;
        var whileDown = router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1");
        var excluded = router.Pick(Model, new HashSet<WorkerEndpoint> { ranked[1] }, "conversation-1");
        ranked[0].Healthy = true;
        var afterwards = router.Pick(Model, new HashSet<WorkerEndpoint>(), "conversation-1");

        Assert.That(whileDown, Is.SameAs(ranked[1]));
        Assert.That(excluded, Is.SameAs(ranked[2]));
        Assert.That(afterwards, Is.SameAs(ranked[0]));
    }

    [Test]
    public async Task Pick_WorkerWithoutTheModel_NeverChosen()
    {
        using var pool = await PoolAsync(2);
        var router = Router(pool);
        pool.Endpoints[0].Catalog = new ListModelsReply();

        var used = Enumerable.Range(0, 20).Select(i => router.Pick(Model, new HashSet<WorkerEndpoint>(), $"c-{i}")).Distinct().ToArray();

        Assert.That(used, Is.EqualTo(new[] { pool.Endpoints[1] }));
    }

    [Test]
    public async Task Pick_AffinityOff_MostFreeSequencesWins()
    {
        using var pool = await PoolAsync(3);
        var router = new WorkerRouter(pool, Options.Create(new WorkersOptions { ConversationAffinity = false }));
        SetLoad(pool.Endpoints[0], 3);
        SetLoad(pool.Endpoints[1], 0);
        SetLoad(pool.Endpoints[2], 2);

        var used = Enumerable.Range(0, 10).Select(i => router.Pick(Model, new HashSet<WorkerEndpoint>(), $"c-{i}")).Distinct().ToArray();

        Assert.That(used, Is.EqualTo(new[] { pool.Endpoints[1] }));
    }

    private static WorkerRouter Router(WorkerPool pool) => new(pool, Options.Create(new WorkersOptions()));

    private static async Task<WorkerPool> PoolAsync(int workers)
    {
        var options = new WorkersOptions { Addresses = [.. Enumerable.Range(1, workers).Select(i => $"http://10.255.0.{i}:4000")] };
        var pool = new WorkerPool(Options.Create(options), NullLogger<WorkerPool>.Instance);
        await pool.ResolveAsync(CancellationToken.None);
        foreach (var endpoint in pool.Endpoints)
        {
            endpoint.Healthy = true;
            endpoint.Catalog = new ListModelsReply { Models = { new ModelInfo { Name = Model, Loaded = true } } };
            SetLoad(endpoint, 0);
        }

        return pool;
    }

    private static void SetLoad(WorkerEndpoint endpoint, int active) => endpoint.Status = new GetStatusReply
    {
        Capacity = 4,
        ActiveSequences = active,
        Loaded = { new LoadedModelStatus { Name = Model, Capacity = 4, ActiveSequences = active } },
    };
}
