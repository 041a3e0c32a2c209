namespace Distributed.Sanitization.Tests;

public class CardRedactionTests
{
    [TestCase("card 4111 1111 1111 1111 exp 12/29", "card [CARD] exp 12/29")]
    [TestCase("4111111111111111", "[CARD]")]
    [TestCase("5555-5555-5555-4444", "[CARD]")]
    [TestCase("378282246310005", "[CARD]")]              // Amex, 15 digits
    [TestCase("3714 496353 98431", "[CARD]")]            // Amex 4-6-5 grouping
    [TestCase("6011111111111117", "[CARD]")]             // Discover
    [TestCase("4222222222222", "[CARD]")]                // 13-digit Visa
    [TestCase("2223003122003222", "[CARD]")]             // Mastercard 2-series
    [TestCase("4111\u200B1111\u200B1111\u200B1111", "[CARD]")]
    [TestCase("\uFF14\uFF11\uFF11\uFF11 1111 1111 1111", "[CARD]")] // fullwidth digits
    public void SanitizeInput_ValidCard_IsRedacted(string input, string expected)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(expected));
        Assert.That(result.CountOf(FindingKinds.Card), Is.EqualTo(1));
    }

    [TestCase("4111 1111 1111 1112")]                    // 16 digits failing Luhn
    [TestCase("4111111111111112")]
    [TestCase("5555-5555-5555-4445")]
    [TestCase("1234567812345670")]                       // Luhn-valid but no payment-network IIN
    [TestCase("1700000000000")]                          // millisecond timestamp
    [TestCase("0000 0000 0000 0000")]
    [TestCase("12345678901234567890")]                   // 20 digits: longer than any PAN
    [TestCase("4111 1111 1111 1111 0000")]               // part of a longer grouped number
    [TestCase("411111111111")]                           // 12 digits
    [TestCase("4111 1111  1111 1111")]                   // double space breaks the run
    public void SanitizeInput_CardNearMiss_IsKept(string input)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(input));
        Assert.That(result.Findings, Is.Empty);
    }

    [TestCase("4111111111111111", true)]
    [TestCase("79927398713", true)]
    [TestCase("79927398710", false)]
    public void Luhn_KnownNumbers_MatchesChecksum(string digits, bool expected)
    {
        int[] values = digits.Select(c => c - '0').ToArray();

        Assert.That(PaymentCard.Luhn(values), Is.EqualTo(expected));
    }
}
