using System.Net;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Distributed.Gateway.Tests.Auth;

/// <summary>
/// Bearer tokens are HS256 with the configured secret, issuer, audience and lifetime checked: anything forged,
/// unsigned, expired, early, misaddressed, re-algorithmed or malformed is a 401 ProblemDetails.
/// </summary>
[TestFixture]
public sealed class JwtSecurityTests
{
    private SharedEnvironment _env = null!;
    private RegisteredUser _user = null!;

    public static IEnumerable<TestCaseData> RejectedTokens()
    {
        // Each case is a function of the user id, so every token names a real, enabled user.
        yield return Case("signed with another secret", id => TestTokens.Sign(id, secret: "another-secret-0123456789abcdef-0123456789abcdef"));
        yield return Case("signed with the secret's first 32 bytes", id => TestTokens.Sign(id, secret: TestKeys.JwtSecret[..32]));
        yield return Case("alg none, no signature", id => TestTokens.Unsigned(id, "user"));
        yield return Case("alg none claiming admin", id => TestTokens.Unsigned(id, "admin"));
        yield return Case("valid token with its signature removed", id => StripSignature(TestTokens.Sign(id)));
        yield return Case("expired 10 minutes ago", id => TestTokens.Sign(id, notBefore: DateTime.UtcNow.AddHours(-2), expires: DateTime.UtcNow.AddMinutes(-10)));
        yield return Case("not valid for another 10 minutes", id => TestTokens.Sign(id, notBefore: DateTime.UtcNow.AddMinutes(10), expires: DateTime.UtcNow.AddHours(1)));
        yield return Case("wrong issuer", id => TestTokens.Sign(id, issuer: "someone-else"));
        yield return Case("wrong audience", id => TestTokens.Sign(id, audience: "other-clients"));
        yield return Case("HS512 with the right secret", id => TestTokens.Sign(id, algorithm: SecurityAlgorithms.HmacSha512));
        yield return Case("no subject", _ => TestTokens.Sign(null));
        yield return Case("payload changed to admin after signing", id => Tamper(TestTokens.Sign(id), "\"role\":\"user\"", "\"role\":\"admin\""));
        yield return Case("payload changed to another subject after signing", id => Tamper(TestTokens.Sign(id), id, Guid.NewGuid().ToString("D")));
        yield return Case("garbage", _ => "garbage");
        yield return Case("three empty parts", _ => "..");
        yield return Case("a.b.c", _ => "a.b.c");
        yield return Case("header only", id => TestTokens.Sign(id).Split('.')[0]);
        yield return Case("five parts (JWE shape)", id => TestTokens.Sign(id) + ".x.y");
        yield return Case("base64 of JSON, not a JWT", _ => Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"sub\":\"admin\",\"role\":\"admin\"}")));
        yield return Case("20,000 characters", _ => "eyJ" + new string('A', 20_000));
        yield return Case("the static API key as a token", _ => TestKeys.Admin);
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _user = await _env.Gateway.RegisterAsync(AccountApi.NewEmail("jwt"));
    }

    [Test]
    public async Task TestSignedToken_RightSecretIssuerAudienceAndTimes_IsAccepted()
    {
        // The control for the cases below: a token made here the way the gateway makes them is accepted, so each
        // rejected case fails for the one thing it changes.
        using var client = _env.Gateway.CreateBearerClient(TestTokens.Sign(_user.Id));

        using var response = await client.GetAsync("/llm/sessions");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [TestCaseSource(nameof(RejectedTokens))]
    public async Task ProtectedRoutes_RejectedToken_Return401Problem(Func<string, string> makeToken)
    {
        var token = makeToken(_user.Id);
        using var client = _env.Gateway.CreateClient(apiKey: null);

        foreach (var (method, path, body) in new (HttpMethod, string, string?)[]
        {
            (HttpMethod.Get, "/llm/sessions", null),
            (HttpMethod.Post, "/llm/sessions", "{\"model_name\":\"stories260K\"}"),
            (HttpMethod.Get, "/auth/keys", null),
            (HttpMethod.Post, "/auth/keys", "{\"name\":\"forged\"}"),
            (HttpMethod.Get, "/admin/users", null),
            (HttpMethod.Post, "/prompt", "{\"prompt\":\"hi\"}"),
        })
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : GatewayApi.Json(body) };
            request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
            using var response = await client.SendAsync(request);
            var problem = await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
            Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Unauthorized"), $"{method} {path}");
        }

        // Nothing was created by the rejected calls.
        using var owner = _env.Gateway.CreateBearerClient(TestTokens.Sign(_user.Id));
        Assert.That((await owner.ListKeysAsync()).GetArrayLength(), Is.Zero);
    }

    [TestCase("Bearer")]
    [TestCase("Bearer ")]
    [TestCase("Bearer  ")]
    [TestCase("Basic dXNlcjpwYXNz")]
    [TestCase("Token abc")]
    public async Task ListSessions_EmptyOrOtherAuthorizationScheme_Returns401(string header)
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);
        var request = new HttpRequestMessage(HttpMethod.Get, "/llm/sessions");
        request.Headers.TryAddWithoutValidation("Authorization", header);

        using var response = await client.SendAsync(request);

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Token_ForAUserThatDoesNotExistSignedWithAnotherSecret_CannotReachAdminRoutes()
    {
        using var client = _env.Gateway.CreateBearerClient(TestTokens.Sign("admin", "admin", secret: "attacker-secret-0123456789abcdef-0123456789"));

        using var response = await client.GetAsync("/admin/users");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Token_ExpiredWithinTheClockSkew_IsStillAccepted()
    {
        // 30 s of clock skew are allowed; 10 s past expiry is inside it (the expired case above is 10 minutes past).
        using var client = _env.Gateway.CreateBearerClient(TestTokens.Sign(_user.Id, notBefore: DateTime.UtcNow.AddMinutes(-5), expires: DateTime.UtcNow.AddSeconds(-10)));

        using var response = await client.GetAsync("/llm/sessions");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    private static TestCaseData Case(string name, Func<string, string> makeToken) =>
        new TestCaseData(makeToken).SetArgDisplayNames(name);

    private static string StripSignature(string token) => token[..(token.LastIndexOf('.') + 1)];

    /// <summary>Rewrites the payload (keeping header and signature), as an attacker without the secret would.</summary>
    private static string Tamper(string token, string find, string replace)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        Assert.That(payload, Does.Contain(find), "the claim to tamper with");
        parts[1] = Base64UrlEncoder.Encode(payload.Replace(find, replace, StringComparison.Ordinal));
        return string.Join('.', parts);
    }
}
