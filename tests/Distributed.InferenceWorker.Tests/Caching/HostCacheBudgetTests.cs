using Distributed.InferenceWorker.Caching;

namespace Distributed.InferenceWorker.Tests.Caching;

[TestFixture]
public sealed class HostCacheBudgetTests
{
    [TestCase(0L, 0L)]
    [TestCase(123L, 123L)]
    [TestCase(2L << 30, 2L << 30)]
    public void Resolve_ExplicitSize_Wins(long configured, long expected) =>
        Assert.That(HostCacheBudget.Resolve(configured, 24L << 30), Is.EqualTo(expected));

    [Test]
    public void Resolve_Auto_AQuarterOfAvailableMemory() =>
        Assert.That(HostCacheBudget.Resolve(HostCacheBudget.Auto, 24L << 30), Is.EqualTo(6L << 30));
}
