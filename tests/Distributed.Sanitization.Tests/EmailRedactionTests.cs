namespace Distributed.Sanitization.Tests;

public class EmailRedactionTests
{
    [TestCase("contact john.doe@example.com please", "contact [EMAIL] please")]
    [TestCase("JOHN+tag@sub.example.co.uk", "[EMAIL]")]
    [TestCase("mail a@b.io.", "mail [EMAIL].")]
    [TestCase("<first_last-1%x@mail-server.example.org>", "<[EMAIL]>")]
    [TestCase("mailto:support@example.com?subject=hi", "mailto:[EMAIL]?subject=hi")]
    [TestCase("x@xn--bcher-kva.xn--p1ai", "[EMAIL]")]
    [TestCase("two: a@example.com, b@example.net", "two: [EMAIL], [EMAIL]")]
    [TestCase("\uFF4A\uFF4F\uFF48\uFF4E\uFF20\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45\uFF0E\uFF43\uFF4F\uFF4D", "[EMAIL]")] // fullwidth
    [TestCase("M\u00FCller@example.de", "[EMAIL]")]
    [TestCase("jo\u200Bhn@exam\u200Bple.com", "[EMAIL]")] // zero-width split
    public void SanitizeInput_Email_IsRedacted(string input, string expected)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(expected));
        Assert.That(result.CountOf(FindingKinds.Email), Is.GreaterThan(0));
    }

    [TestCase("user@localhost")]                 // no dotted domain: decided not an address worth redacting
    [TestCase("npm i @angular/core")]
    [TestCase("lodash@4.17.21")]                 // package@version
    [TestCase("foo@bar")]
    [TestCase("john at example dot com")]
    [TestCase("a@@b")]
    [TestCase("@mention in chat")]
    [TestCase("user@example.c")]                 // one-letter TLD
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com")] // 65-char local part
    public void SanitizeInput_EmailNearMiss_IsKept(string input)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(input));
        Assert.That(result.Findings, Is.Empty);
    }

    [Test]
    public void SanitizeInput_TwoEmails_CountsTwo()
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput("a@example.com b@example.com");

        Assert.That(result.Findings, Is.EqualTo(new[] { new SanitizationFinding(FindingKinds.Email, 2) }));
    }
}
