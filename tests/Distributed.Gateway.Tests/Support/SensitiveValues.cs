using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// Fresh, valid, unique values of every kind the sanitizer redacts (so a search of Redis or the logs for them can only
/// find what this test wrote), and the text that carries them.
/// </summary>
public sealed class SensitiveValues
{
    public SensitiveValues()
    {
        Email = $"jane.{Hex(6)}@example.com";
        Phone = $"(212) 555-{RandomNumberGenerator.GetInt32(1000, 10000)}";
        Card = LuhnCard();
        Iban = GermanIban();
        SecretKey = "sk-" + Hex(6) + "Ab9" + Hex(6);
    }

    public string Email { get; }

    /// <summary>A North American number: (2xx) xxx-xxxx.</summary>
    public string Phone { get; }

    /// <summary>A 16-digit Visa-style number that passes Luhn, in groups of four.</summary>
    public string Card { get; }

    /// <summary>A German IBAN (22 characters) with correct mod-97 check digits.</summary>
    public string Iban { get; }

    /// <summary>An OpenAI-style <c>sk-</c> key (27 random-looking characters with digits and mixed case).</summary>
    public string SecretKey { get; }

    /// <summary>Every value (the card also without its spaces).</summary>
    public IReadOnlyList<string> All => [Email, Phone, Card, Card.Replace(" ", string.Empty, StringComparison.Ordinal), Iban, SecretKey];

    /// <summary>One short text holding every value, each between words (under 150 characters).</summary>
    public string Sentence => $"mail {Email} call {Phone} card {Card} iban {Iban} key {SecretKey}";

    /// <summary>What <see cref="Sentence"/> becomes once sanitized.</summary>
    public const string Redacted = "mail [EMAIL] call [PHONE] card [CARD] iban [IBAN] key [SECRET]";

    /// <summary>Asserts that none of the values, nor a JSON-escaped form of them, occurs in <paramref name="text"/>.</summary>
    public void AssertNoneIn(string text, string where)
    {
        foreach (var value in All)
        {
            var escaped = JsonSerializer.Serialize(value)[1..^1];
            Assert.That(text, Does.Not.Contain(value).And.Not.Contain(escaped), $"{where} holds a value that should have been redacted");
        }
    }

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static string LuhnCard()
    {
        var digits = new int[16];
        digits[0] = 4;
        for (var i = 1; i < 15; i++)
        {
            digits[i] = RandomNumberGenerator.GetInt32(10);
        }

        // The check digit makes the Luhn sum a multiple of 10 (digits at even distance from the end are doubled).
        var sum = 0;
        for (var i = 14; i >= 0; i--)
        {
            var d = digits[i];
            if ((14 - i) % 2 == 0)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
        }

        digits[15] = (10 - sum % 10) % 10;
        var text = string.Concat(digits);
        return $"{text[..4]} {text[4..8]} {text[8..12]} {text[12..]}";
    }

    private static string GermanIban()
    {
        var account = string.Concat(Enumerable.Range(0, 18).Select(_ => RandomNumberGenerator.GetInt32(10)));
        // ISO 13616: move "DE00" to the end, letters as numbers (D=13, E=14), check = 98 - (n mod 97).
        var numeric = BigInteger.Parse(account + "131400", System.Globalization.CultureInfo.InvariantCulture);
        var check = 98 - (int)(numeric % 97);
        return $"DE{check:00}{account}";
    }
}
