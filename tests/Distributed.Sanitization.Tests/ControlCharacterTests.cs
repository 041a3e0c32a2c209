namespace Distributed.Sanitization.Tests;

public class ControlCharacterTests
{
    [TestCase("a\u0000b", "ab", 1)]
    [TestCase("\u001B[31mred\u001B[0m", "[31mred[0m", 2)]          // ANSI escape (ESC is C0)
    [TestCase("a\u0007\u0008b", "ab", 2)]
    [TestCase("a\u007Fb", "ab", 1)]                                 // DEL
    [TestCase("a\u0085b\u009Bc", "abc", 2)]                         // C1
    [TestCase("ig\u200Bnore", "ignore", 1)]                         // zero-width space
    [TestCase("ab\u200Ccd\u200Def", "abcdef", 2)]                   // ZWNJ / ZWJ between Latin letters
    [TestCase("a\u2060b\uFEFFc", "abc", 2)]                         // word joiner, BOM
    [TestCase("\u202Etxt.exe", "txt.exe", 1)]                       // right-to-left override
    [TestCase("\u202A\u202B\u202C\u202Dx", "x", 4)]                 // embeddings / pop
    [TestCase("\u2066a\u2067b\u2068c\u2069", "abc", 4)]             // isolates
    [TestCase("soft\u00ADhyphen", "softhyphen", 1)]
    [TestCase("a\u200E\u200Fb", "ab", 2)]                           // LRM / RLM
    [TestCase("hi\U000E0069\U000E0067\U000E006E", "hi", 3)]         // tag characters (ASCII smuggling)
    [TestCase("x\u180Ey\u3164z", "xyz", 2)]                         // Mongolian vowel separator, Hangul filler
    [TestCase("\U0001F600\uFE00\uFE01\uFE02", "\U0001F600\uFE00", 2)] // variation-selector run
    [TestCase("a\U000E0100b", "ab", 1)]                             // supplementary variation selector
    public void SanitizeInput_InvisibleCharacters_AreStrippedAndCounted(string input, string expected, int count)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(expected));
        Assert.That(result.Findings, Is.EqualTo(new[] { new SanitizationFinding(FindingKinds.Control, count) }));
    }

    [TestCase("tabs\tnew\nlines\r\n")]
    [TestCase("\U0001F468\u200D\U0001F469\u200D\U0001F467")]       // family emoji keeps its joiners
    [TestCase("\u2764\uFE0F love")]                                 // one emoji variation selector
    [TestCase("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")] // Persian ZWNJ between letters
    [TestCase("caf\u00E9 na\u00EFve \u65E5\u672C\u8A9E \u0645\u0631\u062D\u0628\u0627")]
    [TestCase("")]
    public void SanitizeInput_LegitimateCharacters_AreKept(string input)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(input));
        Assert.That(result.Findings, Is.Empty);
    }

    [Test]
    public void SanitizeInput_LoneSurrogates_BecomeReplacementCharacters()
    {
        string input = "a\uD800b\uDC00c" + "\uD83D";

        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo("a\uFFFDb\uFFFDc\uFFFD"));
        Assert.That(result.CountOf(FindingKinds.Control), Is.EqualTo(3));
    }

    [Test]
    public void SanitizeInput_NothingToStrip_ReturnsSameInstance()
    {
        const string input = "plain text";

        Assert.That(Sanitizers.RedactOnly.SanitizeInput(input).Text, Is.SameAs(input));
    }
}
