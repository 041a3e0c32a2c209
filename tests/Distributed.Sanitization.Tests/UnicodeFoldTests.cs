namespace Distributed.Sanitization.Tests;

public class UnicodeFoldTests
{
    [TestCase(0xFF21, "A")]      // fullwidth
    [TestCase(0x1D41A, "a")]     // mathematical bold small a
    [TestCase(0x1D7D8, "0")]     // mathematical double-struck digit zero
    [TestCase(0x00E9, "e")]      // é
    [TestCase(0x017F, "s")]      // long s: last entry of the Latin-1/Extended-A table
    [TestCase(0x1EF9, "y")]      // ỹ: last letter of the Extended Additional table
    [TestCase(0x00DF, "ss")]
    [TestCase(0xFB01, "fi")]
    [TestCase(0x0430, "a")]      // Cyrillic a
    [TestCase(0x0301, "")]       // combining acute is dropped
    [TestCase(0x2019, "'")]
    [TestCase(0x3000, " ")]
    public void Fold_LookAlike_MapsToAscii(int codePoint, string expected)
    {
        Assert.That(UnicodeFold.Fold(codePoint), Is.EqualTo(expected));
    }

    [TestCase('a')]
    [TestCase(0x65E5)]           // 日
    [TestCase(0x00D7)]           // ×
    public void Fold_OrdinaryCharacter_IsUnchanged(int codePoint)
    {
        Assert.That(UnicodeFold.Fold(codePoint), Is.Null);
    }

    [Test]
    public void FoldWithMap_MapsFoldedSpansBackToSource()
    {
        FoldedText folded = UnicodeFold.FoldWithMap("x\U0001D41A\uFB01y");

        Assert.That(folded.Text, Is.EqualTo("xafiy"));
        Assert.That(folded.ToSource(1, 1), Is.EqualTo((1, 3)));
        Assert.That(folded.ToSource(2, 2), Is.EqualTo((3, 4)));
    }
}
