using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Users;

/// <summary>
/// <c>POST /auth/login</c>: the token answer of the second service, a token that works wherever a key does, and one
/// answer for every failure (a wrong password and an unknown email cannot be told apart).
/// </summary>
[TestFixture]
public sealed class LoginTests
{
    private SharedEnvironment _env = null!;
    private RegisteredUser _user = null!;
    private string _token = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _user = await _env.Gateway.RegisterAsync(AccountApi.NewEmail("login"));
        _token = await _env.Gateway.LoginAsync(_user.Email, _user.Password);
    }

    [Test]
    public async Task Login_ValidCredentials_ReturnsAccessTokenBearerAndExpiry()
    {
        using var response = await _env.Gateway.SendLoginAsync(_user.Email, _user.Password);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var body = await response.ReadJsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(body.PropertyNames(), Is.EqualTo(new[] { "access_token", "token_type", "expires_in" }));
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(body.GetProperty("expires_in").GetInt32(), Is.EqualTo(3600));
        });
        var token = TestTokens.Read(body.GetProperty("access_token").GetString()!);
        Assert.Multiple(() =>
        {
            Assert.That(token.Alg, Is.EqualTo("HS256"));
            Assert.That(token.Subject, Is.EqualTo(_user.Id));
            Assert.That(token.GetClaim("role").Value, Is.EqualTo("user"));
            Assert.That(token.Issuer, Is.EqualTo(TestKeys.JwtIssuer));
            Assert.That(token.Audiences, Is.EqualTo(new[] { TestKeys.JwtAudience }));
            Assert.That(token.ValidTo - token.ValidFrom, Is.EqualTo(TimeSpan.FromHours(1)));
            Assert.That(token.ValidTo, Is.EqualTo(DateTime.UtcNow.AddHours(1)).Within(TimeSpan.FromMinutes(1)));
            Assert.That(token.Claims.Select(c => c.Value), Has.None.EqualTo(_user.Password).And.None.EqualTo(_user.Email), "no password or email in the token");
        });
    }

    [TestCase("upper")]
    [TestCase("padded")]
    public async Task Login_EmailInAnotherCaseOrPadded_Succeeds(string variant)
    {
        var email = variant == "upper" ? _user.Email.ToUpperInvariant() : $"  {_user.Email}  ";

        var token = await _env.Gateway.LoginAsync(email, _user.Password);

        Assert.That(TestTokens.Read(token).Subject, Is.EqualTo(_user.Id));
    }

    [Test]
    public async Task BearerToken_EveryProtectedRouteType_IsAccepted()
    {
        using var client = _env.Gateway.CreateBearerClient(_token);

        // Sessions, conversations, queries (plain and streamed) and their history.
        var session = await client.CreateSessionAsync();
        var conversation = await client.CreateConversationAsync(session);
        var answer = await client.QueryAsync(session, conversation, new { query = "Once upon a time", max_tokens = 4 });
        var streamed = (await client.StreamQueryAsync(session, conversation, new { query = "The cat", max_tokens = 4 })).Done();
        Assert.That(
            await client.GetTurnsAsync(session, conversation),
            Is.EqualTo(new[]
            {
                new Turn("user", "Once upon a time"), new Turn("bot", answer),
                new Turn("user", "The cat"), new Turn("bot", streamed.GetProperty("response").GetString()!),
            }),
            "both answers, plain and streamed, stored as given");
        Assert.That((await client.GetSessionAsync(session)).GetProperty("sessionId").GetGuid(), Is.EqualTo(session));
        Assert.That(await client.ListConversationsAsync(session), Is.EqualTo(new[] { conversation }));
        await client.PostJsonAsync($"/llm/sessions/{session}/switch-model", new { model_name = "llama3" }).ExpectJsonAsync(HttpStatusCode.Created);
        await client.PatchAsync($"/llm/sessions/{session}", GatewayApi.Json(new { system_prompt = "Be brief." })).ExpectJsonAsync(HttpStatusCode.OK);
        var sessions = await client.GetAsync("/llm/sessions").ExpectJsonAsync(HttpStatusCode.OK);
        Assert.That(sessions.EnumerateArray().Select(s => s.GetProperty("sessionId").GetGuid()), Is.EqualTo(new[] { session }));

        // Models, one-shot prompts and keys.
        await client.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);
        await client.PostJsonAsync("/prompt", new { prompt = "Once upon a time", max_tokens = 4 }).ExpectJsonAsync(HttpStatusCode.OK);
        var key = await client.CreateKeyAsync("from a token");
        Assert.That((await client.ListKeysAsync()).EnumerateArray().Select(k => k.GetProperty("id").GetString()), Does.Contain(key.GetProperty("id").GetString()));
        using (var revoke = await client.DeleteAsync($"/auth/keys/{key.GetProperty("id").GetString()}"))
        {
            await revoke.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        // Deleting what it created.
        using (var deleteConversation = await client.DeleteAsync($"/llm/sessions/{session}/conversations/{conversation}"))
        {
            await deleteConversation.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using (var deleteSession = await client.DeleteAsync($"/llm/sessions/{session}"))
        {
            await deleteSession.ExpectStatusAsync(HttpStatusCode.NoContent);
        }

        using var afterDelete = await client.GetAsync($"/llm/sessions/{session}");
        await afterDelete.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task BearerToken_LowerCaseScheme_IsAccepted()
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);
        var request = new HttpRequestMessage(HttpMethod.Get, "/llm/sessions");
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + _token);

        using var response = await client.SendAsync(request);

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Login_WrongPasswordAndUnknownEmail_GetTheSame401()
    {
        using var wrongPassword = await _env.Gateway.SendLoginAsync(_user.Email, "Wrong!Passw0rd");
        using var unknownEmail = await _env.Gateway.SendLoginAsync(AccountApi.NewEmail("nobody"), "Wrong!Passw0rd");
        using var unknownWithARealPassword = await _env.Gateway.SendLoginAsync(AccountApi.NewEmail("nobody"), _user.Password);

        var problems = new[]
        {
            await wrongPassword.ExpectProblemAsync(HttpStatusCode.Unauthorized),
            await unknownEmail.ExpectProblemAsync(HttpStatusCode.Unauthorized),
            await unknownWithARealPassword.ExpectProblemAsync(HttpStatusCode.Unauthorized),
        };

        Assert.Multiple(() =>
        {
            foreach (var problem in problems.Skip(1))
            {
                Assert.That(Shape(problem), Is.EqualTo(Shape(problems[0])), "the same problem for every failure");
            }

            Assert.That(problems[0].GetProperty("detail").GetString(), Does.Not.Contain(_user.Email));
            Assert.That(wrongPassword.Headers.Select(h => h.Key).Order(), Is.EqualTo(unknownEmail.Headers.Select(h => h.Key).Order()), "the same headers");
        });
    }

    [TestCase("""{"email":"a@example.com"}""", "password")]
    [TestCase("""{"password":"Str0ng!Passw0rd"}""", "email")]
    [TestCase("""{"email":"","password":"Str0ng!Passw0rd"}""", "email")]
    [TestCase("""{"email":["a@example.com"],"password":"Str0ng!Passw0rd"}""", "email")]
    [TestCase("""{"email":"a@example.com","password":{"$ne":null}}""", "password")]
    [TestCase("""{"email":"a@example.com","password":true}""", "password")]
    [TestCase("""{"email":"a@example.com","password":"x""", "body")]
    [TestCase("email=a@example.com&password=x", "body")]
    public async Task Login_MalformedBody_Returns400NamingTheField(string body, string field)
    {
        using var client = _env.Gateway.CreateClient(apiKey: null);

        using var response = await client.PostAsync("/auth/login", GatewayApi.Json(body));

        await response.ExpectBadRequestAsync(field);
    }

    [Test]
    public async Task Login_OverlongPassword_Returns400WithoutHashingIt()
    {
        using var response = await _env.Gateway.SendLoginAsync(_user.Email, new string('p', 100_000));

        await response.ExpectBadRequestAsync("password");
    }

    [Test]
    public async Task ProtectedRoute_ApiKeyAndBearerBothValid_ActsAsTheBearer()
    {
        using var client = _env.Gateway.CreateBearerClient(_token);
        client.DefaultRequestHeaders.Add("x-api-key", TestKeys.Alice);
        var session = await client.CreateSessionAsync();

        using var asUser = _env.Gateway.CreateBearerClient(_token);
        using var asAlice = _env.Gateway.CreateClient(TestKeys.Alice);
        await asUser.GetSessionAsync(session);
        using var hidden = await asAlice.GetAsync($"/llm/sessions/{session}");
        await hidden.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [TestCase("/llm/sessions")]
    [TestCase("/auth/keys")]
    [TestCase("/llm/models")]
    public async Task ProtectedRoute_InvalidBearerEvenWithAValidApiKey_Returns401(string path)
    {
        // The bearer token decides when one is sent: a bad token never falls back to the key.
        using var client = _env.Gateway.CreateBearerClient(_token + "x");
        client.DefaultRequestHeaders.Add("x-api-key", TestKeys.Alice);

        using var response = await client.GetAsync(path);

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Sessions_CreatedWithAToken_BelongToTheUserNotToAnyKey()
    {
        using var client = _env.Gateway.CreateBearerClient(_token);
        var session = await client.CreateSessionAsync();

        var owner = await _env.Inspector.ExecuteAsync("HGET", $"{_env.Gateway.KeyPrefix}{{{session}}}:session", "owner");

        Assert.That(owner.AsString(), Is.EqualTo(_user.Id));
        using var other = _env.Gateway.CreateClient(TestKeys.Admin);
        using var response = await other.GetAsync($"/llm/sessions/{session}/conversations");
        await response.ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    private static string Shape(JsonElement problem) =>
        $"{problem.GetProperty("status").GetInt32()}|{problem.GetProperty("title").GetString()}|{problem.GetProperty("detail").GetString()}|{(problem.TryGetProperty("type", out var type) ? type.GetString() : null)}";
}
