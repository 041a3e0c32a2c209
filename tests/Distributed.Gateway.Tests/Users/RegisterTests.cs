using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Users;

/// <summary>
/// <c>POST /user/register</c>, the second service's contract: 201 with the user (never the password or its hash), the
/// password policy, a valid email, and one account per email whatever its case.
/// </summary>
[TestFixture]
public sealed class RegisterTests
{
    private static readonly string[] UserFields = ["id", "email", "firstName", "lastName", "role", "disabled", "created"];

    private SharedEnvironment _env = null!;
    private HttpClient _anonymous = null!;

    /// <summary>Each breaks exactly one rule of the policy: 8+ characters, a lower-case letter, an upper-case letter, a digit, a symbol.</summary>
    public static IEnumerable<TestCaseData> WeakPasswords()
    {
        yield return new TestCaseData("Sh0rt!a").SetArgDisplayNames("7 characters");
        yield return new TestCaseData("STR0NG!PASSW0RD").SetArgDisplayNames("no lower-case letter");
        yield return new TestCaseData("str0ng!passw0rd").SetArgDisplayNames("no upper-case letter");
        yield return new TestCaseData("Strong!Password").SetArgDisplayNames("no digit");
        yield return new TestCaseData("Str0ngPassw0rd").SetArgDisplayNames("no symbol");
        yield return new TestCaseData("Str0ng Passw0rd").SetArgDisplayNames("a space is no symbol");
        yield return new TestCaseData("        ").SetArgDisplayNames("blank");
        yield return new TestCaseData("Aa1!" + new string('x', 253)).SetArgDisplayNames("257 characters");
    }

    public static IEnumerable<TestCaseData> InvalidEmails()
    {
        yield return new TestCaseData("plainaddress").SetArgDisplayNames("no @");
        yield return new TestCaseData("@example.com").SetArgDisplayNames("no local part");
        yield return new TestCaseData("user@").SetArgDisplayNames("no domain");
        yield return new TestCaseData("user@localhost").SetArgDisplayNames("domain without a dot");
        yield return new TestCaseData("user@@example.com").SetArgDisplayNames("two @");
        yield return new TestCaseData("us er@example.com").SetArgDisplayNames("space in the local part");
        yield return new TestCaseData("user@exa mple.com").SetArgDisplayNames("space in the domain");
        yield return new TestCaseData("Jane <jane@example.com>").SetArgDisplayNames("display name");
        yield return new TestCaseData("jane@example.com, joe@example.com").SetArgDisplayNames("two addresses");
        yield return new TestCaseData("ja\u0000ne@example.com").SetArgDisplayNames("NUL");
        yield return new TestCaseData("jane@example.com\r\nBcc: x@example.com").SetArgDisplayNames("CRLF header injection");
        yield return new TestCaseData(new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".com").SetArgDisplayNames("over 254 characters");
        yield return new TestCaseData("").SetArgDisplayNames("empty");
        yield return new TestCaseData("   ").SetArgDisplayNames("blank");
    }

    public static IEnumerable<TestCaseData> MissingOrMistypedFields()
    {
        yield return new TestCaseData("""{"firstName":"A","lastName":"B","password":"Str0ng!Passw0rd"}""", "email").SetArgDisplayNames("missing email");
        yield return new TestCaseData("""{"email":5,"firstName":"A","lastName":"B","password":"Str0ng!Passw0rd"}""", "email").SetArgDisplayNames("number email");
        yield return new TestCaseData("""{"email":"a.b@example.com","lastName":"B","password":"Str0ng!Passw0rd"}""", "firstName").SetArgDisplayNames("missing firstName");
        yield return new TestCaseData("""{"email":"a.b@example.com","firstName":["A"],"lastName":"B","password":"Str0ng!Passw0rd"}""", "firstName").SetArgDisplayNames("array firstName");
        yield return new TestCaseData("""{"email":"a.b@example.com","firstName":"A","password":"Str0ng!Passw0rd"}""", "lastName").SetArgDisplayNames("missing lastName");
        yield return new TestCaseData("""{"email":"a.b@example.com","firstName":"A","lastName":"B"}""", "password").SetArgDisplayNames("missing password");
        yield return new TestCaseData("""{"email":"a.b@example.com","firstName":"A","lastName":"B","password":12345678}""", "password").SetArgDisplayNames("number password");
        yield return new TestCaseData("""{"email":"a.b@example.com","firstName":"A","lastName":"B","password":null}""", "password").SetArgDisplayNames("null password");
        yield return new TestCaseData("""{"email":"a.b@example.com","firstName":"A","lastName":"B","password":"Str0ng!Passw0rd" """, "body").SetArgDisplayNames("truncated JSON");
        yield return new TestCaseData("""["a.b@example.com"]""", "body").SetArgDisplayNames("array body");
        yield return new TestCaseData("", "body").SetArgDisplayNames("no body");
    }

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _anonymous = _env.Gateway.CreateClient(apiKey: null);
    }

    [OneTimeTearDown]
    public void TearDown() => _anonymous.Dispose();

    [Test]
    public async Task Register_ValidBody_Returns201WithTheUserAndNoPasswordOrHash()
    {
        var email = AccountApi.NewEmail("register");

        using var response = await _anonymous.PostJsonAsync("/user/register", new { email, firstName = "Ada", lastName = "Lovelace", password = AccountApi.StrongPassword });

        await response.ExpectStatusAsync(HttpStatusCode.Created);
        var text = await response.Content.ReadAsStringAsync();
        var user = await response.ReadJsonAsync();
        Assert.Multiple(() =>
        {
            Assert.That(user.PropertyNames(), Is.EqualTo(UserFields));
            Assert.That(Guid.TryParseExact(user.GetProperty("id").GetString(), "D", out _), Is.True, "id is a UUID");
            Assert.That(user.GetProperty("email").GetString(), Is.EqualTo(email));
            Assert.That(user.GetProperty("firstName").GetString(), Is.EqualTo("Ada"));
            Assert.That(user.GetProperty("lastName").GetString(), Is.EqualTo("Lovelace"));
            Assert.That(user.GetProperty("role").GetString(), Is.EqualTo("user"));
            Assert.That(user.GetProperty("disabled").GetBoolean(), Is.False);
            Assert.That(user.GetProperty("created").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(text, Does.Not.Contain(AccountApi.StrongPassword).And.Not.Contain("password").IgnoreCase.And.Not.Contain("hash").IgnoreCase);
        });
    }

    [Test]
    public async Task Register_ValidBody_StoresOnlyAPbkdf2HashOfThePassword()
    {
        var password = "Unique!" + Guid.NewGuid().ToString("N")[..12] + "A1";

        var user = await _env.Gateway.RegisterAsync(password: password);

        var stored = await _env.Inspector.ExecuteAsync("HGET", $"{_env.Gateway.KeyPrefix}user:{user.Id}", "password_hash");
        var hash = Convert.FromBase64String(stored.AsString()!);
        Assert.Multiple(async () =>
        {
            // ASP.NET Core Identity's format marker 0x01: PBKDF2 with HMAC-SHA256/512, salted.
            Assert.That(hash[0], Is.EqualTo(0x01), "PasswordHasher v3 format");
            Assert.That(await _env.Inspector.DumpTextAsync(), Does.Not.Contain(password), "the plain password is nowhere in Redis");
        });
    }

    [TestCaseSource(nameof(WeakPasswords))]
    public async Task Register_PasswordBreakingThePolicy_Returns400NamingPassword(string password)
    {
        var email = AccountApi.NewEmail("weak");

        using var response = await _anonymous.PostJsonAsync("/user/register", AccountApi.RegisterBody(email, password));

        await response.ExpectBadRequestAsync("password");
        // Nothing was stored: the email is still free.
        await _env.Gateway.RegisterAsync(email);
    }

    [TestCaseSource(nameof(InvalidEmails))]
    public async Task Register_InvalidEmail_Returns400NamingEmail(string email)
    {
        using var response = await _anonymous.PostJsonAsync("/user/register", AccountApi.RegisterBody(email));

        await response.ExpectBadRequestAsync("email");
    }

    [TestCaseSource(nameof(MissingOrMistypedFields))]
    public async Task Register_MissingOrMistypedField_Returns400NamingIt(string body, string field)
    {
        using var response = await _anonymous.PostAsync("/user/register", GatewayApi.Json(body));

        await response.ExpectBadRequestAsync(field);
    }

    [Test]
    public async Task Register_DuplicateEmail_Returns409NamingEmail()
    {
        var user = await _env.Gateway.RegisterAsync();

        using var response = await _anonymous.PostJsonAsync("/user/register", AccountApi.RegisterBody(user.Email, "Other!Passw0rd"));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("errors").PropertyNames(), Is.EqualTo(new[] { "email" }));
        // The first account keeps its password.
        await _env.Gateway.LoginAsync(user.Email, user.Password);
        using var other = await _env.Gateway.SendLoginAsync(user.Email, "Other!Passw0rd");
        await other.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [TestCase("UPPER")]
    [TestCase("MiXeD")]
    [TestCase("padded")]
    public async Task Register_SameEmailInAnotherCaseOrPadded_Returns409(string variant)
    {
        var local = $"case.{Guid.NewGuid():N}";
        await _env.Gateway.RegisterAsync($"{local}@example.com");
        var duplicate = variant switch
        {
            "UPPER" => $"{local}@EXAMPLE.COM".ToUpperInvariant(),
            "MiXeD" => $"{char.ToUpperInvariant(local[0])}{local[1..]}@Example.Com",
            _ => $"  {local}@example.com ",
        };

        using var response = await _anonymous.PostJsonAsync("/user/register", AccountApi.RegisterBody(duplicate));

        await response.ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Register_SameEmailFiveTimesAtOnce_ExactlyOneAccountIsCreated()
    {
        var email = AccountApi.NewEmail("race");

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _anonymous.PostJsonAsync("/user/register", AccountApi.RegisterBody(email))));

        var statuses = responses.Select(r => r.StatusCode).ToArray();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.That(statuses.Count(s => s == HttpStatusCode.Created), Is.EqualTo(1), string.Join(", ", statuses));
        Assert.That(statuses.Count(s => s == HttpStatusCode.Conflict), Is.EqualTo(4), string.Join(", ", statuses));
    }

    [Test]
    public async Task Register_SameNameTwiceWithDifferentEmails_CreatesTwoUsers()
    {
        var first = await _env.Gateway.RegisterAsync();
        var second = await _env.Gateway.RegisterAsync();

        Assert.That(first.Id, Is.Not.EqualTo(second.Id));
    }

    [Test]
    public async Task Register_NoCredentialsNeeded_ButExtraFieldsCannotGrantAdmin()
    {
        var email = AccountApi.NewEmail("escalate");

        var user = await _anonymous.PostJsonAsync("/user/register", new
        {
            email,
            firstName = "Eve",
            lastName = "Mallory",
            password = AccountApi.StrongPassword,
            role = "admin",
            disabled = false,
            id = "00000000-0000-0000-0000-000000000001",
        }).ExpectJsonAsync(HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(user.GetProperty("role").GetString(), Is.EqualTo("user"));
            Assert.That(user.GetProperty("id").GetString(), Is.Not.EqualTo("00000000-0000-0000-0000-000000000001"));
        });
        using var client = _env.Gateway.CreateBearerClient(await _env.Gateway.LoginAsync(email));
        using var admin = await client.GetAsync("/admin/users");
        await admin.ExpectProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Register_StoredUser_IsListedToTheAdminWithoutItsHash()
    {
        var user = await _env.Gateway.RegisterAsync();
        using var admin = _env.Gateway.CreateClient(TestKeys.Admin);

        using var response = await admin.GetAsync("/admin/users");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
        var text = await response.Content.ReadAsStringAsync();
        var listed = JsonDocument.Parse(text).RootElement.EnumerateArray().Single(u => u.GetProperty("id").GetString() == user.Id);
        Assert.Multiple(() =>
        {
            Assert.That(listed.PropertyNames(), Is.EqualTo(UserFields));
            Assert.That(listed.GetProperty("email").GetString(), Is.EqualTo(user.Email));
            Assert.That(text, Does.Not.Contain("hash").IgnoreCase.And.Not.Contain("AQAAAA"));
        });
    }
}
