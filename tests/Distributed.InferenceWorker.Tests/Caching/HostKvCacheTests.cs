using Distributed.InferenceWorker.Caching;
using Distributed.InferenceWorker.Native;

namespace Distributed.InferenceWorker.Tests.Caching;

[TestFixture]
public sealed class HostKvCacheTests
{
    [Test]
    public void Put_OverBudget_EvictsLeastRecentlyUsedFirst()
    {
        using var cache = new HostKvCache(budgetBytes: 300);

        cache.Put(Entry("m", "a", 100), 0);
        cache.Put(Entry("m", "b", 100), 0);
        cache.Put(Entry("m", "c", 100), 0);
        cache.Put(Entry("m", "d", 100), 0);

        Assert.That(cache.Peek("m", "a"), Is.Null);
        Assert.That(cache.Peek("m", "d"), Is.Not.Null);
        Assert.That(cache.Stats, Is.EqualTo(new HostKvCacheStats(300, 300, 3, 0, 0, 4, 1, 0, 0)));
    }

    [Test]
    public void Put_SameKeyAgain_ReplacesTheOldEntry()
    {
        using var cache = new HostKvCache(1000);

        cache.Put(Entry("m", "a", 100, tokens: [1]), 0);
        cache.Put(Entry("m", "a", 200, tokens: [1, 2]), 0);

        Assert.That(cache.Peek("m", "a")!.Tokens, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(cache.Stats.Bytes, Is.EqualTo(200));
        Assert.That(cache.Stats.Entries, Is.EqualTo(1));
    }

    [Test]
    public void Put_LargerThanTheBudget_Refused()
    {
        using var cache = new HostKvCache(100);
        using var entry = Entry("m", "a", 101);

        Assert.That(cache.Put(entry, 0), Is.False);
        Assert.That(cache.Stats.Entries, Is.EqualTo(0));
    }

    [Test]
    public void Take_OtherModelOrKey_NothingFound()
    {
        using var cache = new HostKvCache(1000);
        cache.Put(Entry("m", "a", 10), 0);

        Assert.That(cache.Take("other", "a"), Is.Null);
        Assert.That(cache.Take("m", "b"), Is.Null);
        using var taken = cache.Take("m", "a");
        Assert.That(taken, Is.Not.Null);
        Assert.That(cache.Stats.Entries, Is.EqualTo(0), "taking moves the entry out");
    }

    [Test]
    public void RemoveModel_DropsOnlyThatModelsEntries()
    {
        using var cache = new HostKvCache(1000);
        cache.Put(Entry("m1", "a", 10), 0);
        cache.Put(Entry("m2", "a", 10), 0);

        cache.RemoveModel("m1");

        Assert.That(cache.Peek("m1", "a"), Is.Null);
        Assert.That(cache.Peek("m2", "a"), Is.Not.Null);
        Assert.That(cache.Stats.Bytes, Is.EqualTo(10));
    }

    private static HostKvEntry Entry(string model, string key, int bytes, int[]? tokens = null) =>
        new(model, key, NativeBuffer.Allocate((nuint)bytes), (nuint)bytes, tokens ?? [1, 2, 3]);
}
