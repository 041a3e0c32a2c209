namespace Distributed.Sanitization.Tests;

public class IbanRedactionTests
{
    [TestCase("pay to GB82 WEST 1234 5698 7654 32 today", "pay to [IBAN] today")]
    [TestCase("GB82WEST12345698765432", "[IBAN]")]
    [TestCase("DE89 3704 0044 0532 0130 00", "[IBAN]")]
    [TestCase("DE89370400440532013000.", "[IBAN].")]
    [TestCase("FR14 2004 1010 0505 0001 3M02 606", "[IBAN]")]
    [TestCase("NL91ABNA0417164300", "[IBAN]")]
    [TestCase("NO9386011117947", "[IBAN]")]                       // shortest registry length
    [TestCase("gb82 west 1234 5698 7654 32", "[IBAN]")]           // lower case
    [TestCase("DE89 3704 0044 0532 0130 00 AB12", "[IBAN] AB12")] // registry length ends it
    [TestCase("IBAN:DE89370400440532013000", "IBAN:[IBAN]")]
    public void SanitizeInput_ValidIban_IsRedacted(string input, string expected)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(expected));
        Assert.That(result.CountOf(FindingKinds.Iban), Is.EqualTo(1));
    }

    [TestCase("GB82 WEST 1234 5698 7654 33")]            // wrong checksum
    [TestCase("DE89 3704 0044 0532 0130 01")]
    [TestCase("GB00 WEST 1234 5698 7654 32")]            // check digits 00 are never issued
    [TestCase("GB82 WEST 1234")]                         // too short
    [TestCase("DE89 3704 0044 0532 0130")]               // shorter than DE's 22
    [TestCase("XX00 1234 5678 9012 34")]
    [TestCase("AB12CDEF34567890GHIJ")]
    public void SanitizeInput_IbanNearMiss_IsKept(string input)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(input));
        Assert.That(result.Findings, Is.Empty);
    }

    [TestCase("GB82WEST12345698765432", true)]
    [TestCase("GB82WEST12345698765433", false)]
    [TestCase("GB82WEST1234569876543!", false)]
    public void IsValid_Mod97_MatchesChecksum(string iban, bool expected)
    {
        Assert.That(Iban.IsValid(iban), Is.EqualTo(expected));
    }
}
