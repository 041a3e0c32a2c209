using Distributed.InferenceWorker.Generation;

namespace Distributed.InferenceWorker.Tests.Generation;

[TestFixture]
public sealed class PrefillPaddingTests
{
    private static readonly PrefillPadding Cpu = PrefillPadding.ForCpuFlashAttention(embeddingSize: 768);

    [Test]
    public void Reusable_ShortTurnAfterLongHistory_RecomputesCachedTokensUpToATile()
    {
        // 1,000 cached tokens and 50 new ones: 65 are decoded, so 64 rows reach the tiled path even when the first rides in the decode pass.
        Assert.That(Cpu.Reusable(common: 1000, promptLength: 1050), Is.EqualTo(1050 - 65));
    }

    [TestCase(1000, 65, TestName = "Reusable_AlreadyATileAndOne_KeepsEverything")]
    [TestCase(1000, 39, TestName = "Reusable_FewNewTokens_KeepsEverything")]
    [TestCase(383, 50, TestName = "Reusable_ShortHistory_KeepsEverything")]
    public void Reusable_OutsideThePaddingRange_KeepsTheWholeCommonPrefix(int common, int fresh) =>
        Assert.That(Cpu.Reusable(common, common + fresh), Is.EqualTo(common));

    [Test]
    public void Reusable_HistoryThresholdScalesWithTheModelWidth_WiderModelNeedsALongerHistory()
    {
        var wide = PrefillPadding.ForCpuFlashAttention(embeddingSize: 4096);

        Assert.That(wide.Reusable(common: 1000, promptLength: 1050), Is.EqualTo(1000));
        Assert.That(wide.Reusable(common: 2048, promptLength: 2098), Is.EqualTo(2098 - 65));
    }

    [Test]
    public void Reusable_None_KeepsTheWholeCommonPrefix() =>
        Assert.That(PrefillPadding.None.Reusable(common: 1000, promptLength: 1050), Is.EqualTo(1000));
}
