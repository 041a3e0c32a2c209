using Distributed.Contracts.Inference.V1;

namespace Distributed.InferenceWorker.Tests.Services;

/// <summary>
/// A conversation's turns on a worker with one sequence slot, so other conversations take that slot between its
/// turns: the next turn still finds its whole last turn (prompt and answer) in cache, restored from the host tier,
/// and only with its own cache key; a restored state answers exactly like a fresh prefill.
/// </summary>
[TestFixture]
public sealed class ConversationCacheTests
{
    private const string Stories = "stories260K";
    private WorkerHost _worker = null!;
    private WorkerHost _uncached = null!;

    [OneTimeSetUp]
    public async Task StartWorkers()
    {
        _worker = await WorkerHost.StartAsync(new Dictionary<string, string?> { ["Worker:ParallelSequences"] = "1" });
        _uncached = await WorkerHost.StartAsync(new Dictionary<string, string?>
        {
            ["Worker:ParallelSequences"] = "1",
            ["Worker:HostCacheBytes"] = "0",
        });
    }

    [OneTimeTearDown]
    public async Task StopWorkers()
    {
        await _worker.DisposeAsync();
        await _uncached.DisposeAsync();
    }

    [Test]
    public async Task Generate_NextTurn_FindsTheWholeLastTurnInCache()
    {
        var key = NewKey();
        var first = await _worker.Client.RunAsync(Turn(key, ("user", "Tell me about a cat.")));

        var second = await _worker.Client.RunAsync(Turn(key, ("user", "Tell me about a cat."), ("assistant", first.Text.Trim()), ("user", "And a dog?")));

        var lastTurn = first.Final.Usage.PromptTokens + first.Final.Usage.CompletionTokens;
        Assert.That(second.Final.Usage.CachedTokens, Is.GreaterThanOrEqualTo(lastTurn - 2),
            "the prompt and the generated answer are reused; only the new message is prefilled");
    }

    [Test]
    public async Task Generate_SlotTakenByAnotherConversation_NextTurnRestoresFromHostMemory()
    {
        var a = NewKey();
        var before = (await _worker.Client.StatusAsync()).HostCache;
        var first = await _worker.Client.RunAsync(Turn(a, ("user", "Once upon a time there was a little girl.")));
        await _worker.Client.RunAsync(Turn(NewKey(), ("user", "The sun was hot and the sea was blue and the fish swam.")));

        var second = await _worker.Client.RunAsync(Turn(a, ("user", "Once upon a time there was a little girl."), ("assistant", first.Text.Trim()), ("user", "What happened next?")));

        var after = (await _worker.Client.StatusAsync()).HostCache;
        var lastTurn = first.Final.Usage.PromptTokens + first.Final.Usage.CompletionTokens;
        Assert.That(after.Hits - before.Hits, Is.EqualTo(1));
        Assert.That(after.Saves - before.Saves, Is.GreaterThanOrEqualTo(1));
        Assert.That(after.RestoreMsTotal, Is.GreaterThan(before.RestoreMsTotal));
        Assert.That(second.Final.Usage.CachedTokens, Is.GreaterThanOrEqualTo(lastTurn - 2));
    }

    [Test]
    public async Task Generate_TwoConversationsWithTheSameText_NeverUseEachOthersEntry()
    {
        var (a, b) = (NewKey(), NewKey());
        var message = ("user", "Lily and Ben went to the park to play with a red ball.");
        var firstA = await _worker.Client.RunAsync(Turn(a, message));
        await _worker.Client.RunAsync(Turn(NewKey(), ("user", "The moon was big and round and white.")));
        var before = (await _worker.Client.StatusAsync()).HostCache;

        // B says the same as A and finds A's state in the host tier under A's key only: it must prefill.
        var firstB = await _worker.Client.RunAsync(Turn(b, message));

        var afterB = (await _worker.Client.StatusAsync()).HostCache;
        Assert.That(firstB.Text, Is.EqualTo(firstA.Text));
        Assert.That(afterB.Hits, Is.EqualTo(before.Hits), "B did not restore A's entry");
        Assert.That(afterB.Misses - before.Misses, Is.EqualTo(1));
        Assert.That(firstB.Final.Usage.CachedTokens, Is.LessThan(firstA.Final.Usage.PromptTokens / 2), "B's prompt was computed, not restored");
    }

    [Test]
    public async Task Generate_RestoredState_AnswersLikeAFreshPrefillOfTheSameTokens()
    {
        var opening = ("user", "Tom had a big red truck and he loved it very much.");
        var other = ("user", "A bird sang in the tall green tree.");

        var restored = await ThreeTurnsAsync(_worker);
        var prefilled = await ThreeTurnsAsync(_uncached); // no host tier: the last turn is prefilled from scratch

        Assert.That(restored.Final.Usage.CachedTokens, Is.GreaterThan(restored.Final.Usage.PromptTokens / 2));
        Assert.That(prefilled.Final.Usage.CachedTokens, Is.LessThan(prefilled.Final.Usage.PromptTokens / 2));
        Assert.That(restored.Text, Is.EqualTo(prefilled.Text));

        async Task<GenerationOutcome> ThreeTurnsAsync(WorkerHost worker)
        {
            var key = NewKey();
            var first = await worker.Client.RunAsync(Turn(key, opening));
            await worker.Client.RunAsync(Turn(NewKey(), other));
            return await worker.Client.RunAsync(Turn(key, opening, ("assistant", first.Text.Trim()), ("user", "Where did Tom go?")));
        }
    }

    [Test]
    public async Task Generate_ShortTurnAfterALongHistory_RecomputesCachedTokensUpToAFlashAttentionTile()
    {
        // The CPU worker's flash attention is tiled only from 64 new rows on (PrefillPadding): a turn adding 40-64
        // tokens to a long history is prefilled as 65, the rest of the history still comes from the cache.
        var key = NewKey();
        var opening = ("user", string.Join(' ', Enumerable.Repeat("Tom and Lily went to the big park to play with the red ball and the dog.", 6)));
        var first = await _worker.Client.RunAsync(Turn(key, opening));

        var second = await _worker.Client.RunAsync(Turn(key, opening, ("assistant", first.Text.Trim()), ("user", "Then the sun went down, so they said goodbye to the dog and went home to eat.")));

        var lastTurn = first.Final.Usage.PromptTokens + first.Final.Usage.CompletionTokens;
        var fresh = second.Final.Usage.PromptTokens - lastTurn;
        Assert.That(lastTurn, Is.GreaterThanOrEqualTo(128), "a history long enough for padding with this model");
        Assert.That(fresh, Is.InRange(40, 64), "the second message and its template tokens are short of a tile");
        Assert.That(second.Final.Usage.CachedTokens, Is.EqualTo(second.Final.Usage.PromptTokens - 65));
    }

    private static string NewKey() => Guid.NewGuid().ToString("D");

    private static GenerateRequest Turn(string key, params (string Role, string Content)[] messages)
    {
        var request = GenerationClient.Chat(Stories, 24, [("system", "You tell short stories."), .. messages]);
        request.CacheKey = key;
        return request;
    }
}
