namespace Distributed.Sanitization.Tests;

public class PhoneRedactionTests
{
    [TestCase("call +1 (555) 123-4567 now", "call [PHONE] now")]
    [TestCase("+44 20 7946 0958", "[PHONE]")]
    [TestCase("+4915123456789", "[PHONE]")]
    [TestCase("+33 6 12 34 56 78.", "[PHONE].")]
    [TestCase("+44 (0)20 7946 0958", "[PHONE]")]
    [TestCase("555-123-4567", "[PHONE]")]
    [TestCase("(555) 123-4567", "[PHONE]")]
    [TestCase("555.123.4567", "[PHONE]")]
    [TestCase("tel 555 123 4567", "tel [PHONE]")]
    [TestCase("020 7946 0958", "[PHONE]")]
    [TestCase("030/1234567", "[PHONE]")]
    [TestCase("06 12 34 56 78", "[PHONE]")]
    [TestCase("07700900123", "[PHONE]")]
    [TestCase("(030) 1234567", "[PHONE]")]
    [TestCase("(02) 9876 5432", "[PHONE]")]
    [TestCase("0044 20 7946 0958", "[PHONE]")]
    [TestCase("555\u2013123\u20134567", "[PHONE]")]                 // en dashes fold to '-'
    [TestCase("\uFF0B\uFF14\uFF14 20 7946 0958", "[PHONE]")]        // fullwidth +44
    [TestCase("请致电555-123-4567", "请致电[PHONE]")]                  // text written without spaces
    [TestCase("电话+1 415 555 0100", "电话[PHONE]")]
    [TestCase("电话(020) 7946 0958", "电话[PHONE]")]
    [TestCase("お電話は+81 3 1234 5678", "お電話は[PHONE]")]
    public void SanitizeInput_Phone_IsRedacted(string input, string expected)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(expected));
        Assert.That(result.CountOf(FindingKinds.Phone), Is.EqualTo(1));
    }

    [TestCase("released in 2024")]
    [TestCase("on 2024-01-15 at 12:30:45")]
    [TestCase("due 15.01.2024")]
    [TestCase("due 05.01.2024")]                 // trunk-like but only 8 digits
    [TestCase("order #12345678")]
    [TestCase("order 123456789012")]             // long id without phone shape
    [TestCase("id 0012345678")]                  // zero padded, unseparated
    [TestCase("ISBN 0-306-40615-2")]
    [TestCase("host 192.168.100.200")]
    [TestCase("pi is 3.14159265")]
    [TestCase("+1 2024")]                        // too few digits
    [TestCase("+123456789012345678")]            // more than E.164's 15 digits
    [TestCase("5551234567")]                     // bare 10 digits: no phone shape
    [TestCase("12345678")]
    [TestCase("version 10.0.100")]
    [TestCase("(2019) 1234-1240")]               // citation, year in parentheses
    [TestCase("x+12345678")]                     // "+" glued to a word is arithmetic
    public void SanitizeInput_PhoneNearMiss_IsKept(string input)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(input));
        Assert.That(result.Findings, Is.Empty);
    }
}
