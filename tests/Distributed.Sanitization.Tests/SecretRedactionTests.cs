namespace Distributed.Sanitization.Tests;

public class SecretRedactionTests
{
    private const string Jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    private const string Pem =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq5Z1Yb0A9Cw+Vx2z\nQz3k9PdX1+abc/def==\n-----END RSA PRIVATE KEY-----";

    [TestCase("Authorization: Bearer " + Jwt, "Authorization: Bearer [SECRET]")]
    [TestCase("token is " + Jwt + " ok", "token is [SECRET] ok")]
    [TestCase("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.", "[SECRET]")]              // alg none, empty signature
    [TestCase("curl -H 'Authorization: Bearer abcdef1234567890ABCDEF'", "curl -H 'Authorization: Bearer [SECRET]'")]
    [TestCase("令牌token abcdef1234567890ABCDEF", "令牌token [SECRET]")]      // text written without spaces
    [TestCase("Authorization: token ghx9ZZ0123456789abcdefGHIJ", "Authorization: token [SECRET]")]
    [TestCase("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [SECRET]")]
    [TestCase("key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z", "key [SECRET]")]
    [TestCase("sk-ant-api03-AbCdEf0123456789GhIjKlMnOpQrStUvWxYz-_AA", "[SECRET]")]
    [TestCase("sk-1234567890abcdefghijklmnopqrstuvwxyzABCDEFGH", "[SECRET]")]
    [TestCase("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe [SECRET]")]
    [TestCase("rk_test_51HxYzAbCdEf012345", "[SECRET]")]
    [TestCase("ghp_1234567890abcdefghijklmnopqrstuvwxyz", "[SECRET]")]
    [TestCase("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH", "[SECRET]")]
    [TestCase("aws AKIAIOSFODNN7EXAMPLE key", "aws [SECRET] key")]
    [TestCase("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "[SECRET]")]
    [TestCase("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "[SECRET]")]
    [TestCase("AIzaSyD-1234567890abcdefghijklmnopqrstu", "[SECRET]")]
    [TestCase("key:\n" + Pem + "\nthanks", "key:\n[SECRET]\nthanks")]
    [TestCase("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA=\n-----END OPENSSH PRIVATE KEY-----", "[SECRET]")]
    [TestCase("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "[SECRET]")]  // truncated, no END line
    [TestCase("api_key=abc123def456", "api_key=[SECRET]")]
    [TestCase("apiKey: 'Zx81!pq'", "apiKey: '[SECRET]'")]
    [TestCase("password: hunter22", "password: [SECRET]")]
    [TestCase("{\"password\": \"p@ss w0rd!\"}", "{\"password\": \"[SECRET]\"}")]
    [TestCase("DB_PASSWORD='s3cr3t'", "DB_PASSWORD='[SECRET]'")]
    [TestCase("Server=db;User Id=sa;Password=Pa55word;", "Server=db;User Id=sa;Password=[SECRET];")]
    [TestCase("GITHUB_TOKEN=ghp_1234567890abcdefghijklmnopqrstuvwxyz", "GITHUB_TOKEN=[SECRET]")]
    [TestCase("client_secret := \"c2VjcmV0\"", "client_secret := \"[SECRET]\"")]
    [TestCase("password=hunter2@example.com", "password=[SECRET]")]                 // secret wins over email
    [TestCase("postgres://admin:Sup3rS3cret@db.example.com:5432/app", "postgres://admin:[SECRET]@db.example.com:5432/app")]
    public void SanitizeInput_Secret_IsRedacted(string input, string expected)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(expected));
        Assert.That(result.CountOf(FindingKinds.Secret), Is.EqualTo(1));
        Assert.That(result.Findings.Select(f => f.Kind), Is.EqualTo(new[] { FindingKinds.Secret }));
    }

    [TestCase("The bearer of bad news")]
    [TestCase("Bearer instruments are negotiable")]
    [TestCase("Bearer abc123")]                                   // too short to be a generated token
    [TestCase("Use sk-learn-is-great-for-beginners here")]        // no long random run
    [TestCase("I use sk-learn for ML")]
    [TestCase("The password is at least 8 characters")]
    [TestCase("password: at least 8")]                            // value shorter than 3
    [TestCase("if (password == null) return;")]
    [TestCase("Each token: a word piece")]                        // bare "token" needs a prefix
    [TestCase("max_tokens=100")]
    [TestCase("AKIA is the prefix of AWS key ids")]
    [TestCase("A JWT starts with eyJ and has two dots")]
    [TestCase("-----BEGIN CERTIFICATE-----")]                     // public material
    [TestCase("password=[SECRET]")]                               // already redacted
    public void SanitizeInput_SecretNearMiss_IsKept(string input)
    {
        SanitizedText result = Sanitizers.RedactOnly.SanitizeInput(input);

        Assert.That(result.Text, Is.EqualTo(input));
        Assert.That(result.Findings, Is.Empty);
    }
}
