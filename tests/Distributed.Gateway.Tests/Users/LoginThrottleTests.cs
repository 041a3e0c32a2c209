using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Users;

/// <summary>
/// Failed logins are counted per email, per client address and email, and per client address in Redis; an attempt is
/// reserved before its password is checked, so parallel guesses get no further than sequential ones; a locked-out
/// attempt gets 429 with Retry-After even with the right password, and the same 429 whether or not the email exists.
/// </summary>
[TestFixture]
public sealed class LoginThrottleTests
{
    private const int MaxFailuresPerEmail = 3;
    /// <summary>Per address and email, or per address alone, as each test says.</summary>
    private const int MaxFailuresPerAddress = 4;
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    private SharedEnvironment _env = null!;

    /// <summary>Counts per email only (the address limit out of reach).</summary>
    private GatewayHost _perEmail = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _perEmail = await StartGatewayAsync(MaxFailuresPerEmail, 1000);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync() => await _perEmail.DisposeAsync();

    [Test]
    public async Task Login_AfterMaxFailures_Returns429WithRetryAfterEvenForTheRightPassword()
    {
        var user = await _perEmail.RegisterAsync();
        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail);

        using var response = await _perEmail.SendLoginAsync(user.Email, user.Password);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null, "Retry-After in seconds");
        Assert.That(response.Headers.RetryAfter!.Delta!.Value, Is.InRange(TimeSpan.FromSeconds(1), Lockout));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Not.Contain(user.Email));
    }

    [Test]
    public async Task Login_LockedOutEmailInAnotherCase_IsLockedOutToo()
    {
        var user = await _perEmail.RegisterAsync();
        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail);

        using var response = await _perEmail.SendLoginAsync(user.Email.ToUpperInvariant(), user.Password);

        await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Test]
    public async Task Login_UnknownEmailAfterMaxFailures_GetsTheSame429AsAnExistingOne()
    {
        var user = await _perEmail.RegisterAsync();
        var unknown = AccountApi.NewEmail("ghost");
        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail);
        var unknownAnswers = await FailAsync(_perEmail, unknown, MaxFailuresPerEmail);

        using var existing = await _perEmail.SendLoginAsync(user.Email, "Wrong!Passw0rd");
        using var ghost = await _perEmail.SendLoginAsync(unknown, "Wrong!Passw0rd");

        var existingProblem = await existing.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        var ghostProblem = await ghost.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(unknownAnswers, Is.All.EqualTo(HttpStatusCode.Unauthorized), "an unknown email fails like a wrong password until locked");
            Assert.That(Shape(ghostProblem), Is.EqualTo(Shape(existingProblem)));
            Assert.That(ghost.Headers.RetryAfter?.Delta, Is.Not.Null);
        });
    }

    [Test]
    public async Task Login_SuccessBeforeTheLimit_ResetsTheEmailCount()
    {
        var user = await _perEmail.RegisterAsync();

        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail - 1);
        await _perEmail.LoginAsync(user.Email, user.Password);
        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail - 1);

        await _perEmail.LoginAsync(user.Email, user.Password);
    }

    [Test]
    public async Task Login_OneEmailLockedOut_OtherEmailsStillLogIn()
    {
        var locked = await _perEmail.RegisterAsync();
        var other = await _perEmail.RegisterAsync();
        await FailAsync(_perEmail, locked.Email, MaxFailuresPerEmail);

        var token = await _perEmail.LoginAsync(other.Email, other.Password);

        Assert.That(TestTokens.Read(token).Subject, Is.EqualTo(other.Id));
    }

    [Test]
    public async Task Login_LockedOut_TokensIssuedBeforeKeepWorking()
    {
        var user = await _perEmail.RegisterAsync();
        var token = await _perEmail.LoginAsync(user.Email, user.Password);
        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail);

        using var client = _perEmail.CreateBearerClient(token);
        using var response = await client.GetAsync("/llm/sessions");

        await response.ExpectStatusAsync(HttpStatusCode.OK);
    }

    [Test]
    public async Task Login_AfterMaxFailuresFromOneAddressForAllEmails_EveryEmailFromItGets429()
    {
        // A gateway of its own: the address counters are per key prefix, and every test connects from 127.0.0.1.
        await using var gateway = await StartGatewayAsync(1000, 1000, MaxFailuresPerAddress);
        var user = await gateway.RegisterAsync();
        for (var i = 0; i < MaxFailuresPerAddress; i++)
        {
            // A different email each time (a password spray): no email, nor address and email, reaches a limit of its own.
            using var failure = await gateway.SendLoginAsync(AccountApi.NewEmail($"spray{i}"), "Wrong!Passw0rd");
            await failure.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        using var response = await gateway.SendLoginAsync(user.Email, user.Password);

        await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null);
    }

    [Test]
    public async Task Login_AddressLockedOutForOneEmail_OtherUsersFromItStillLogIn()
    {
        await using var gateway = await StartGatewayAsync(1000, MaxFailuresPerAddress, 1000);
        var victim = await gateway.RegisterAsync();
        var neighbour = await gateway.RegisterAsync();
        await FailAsync(gateway, victim.Email, MaxFailuresPerAddress);

        using var locked = await gateway.SendLoginAsync(victim.Email, victim.Password);
        var token = await gateway.LoginAsync(neighbour.Email, neighbour.Password);

        await locked.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(TestTokens.Read(token).Subject, Is.EqualTo(neighbour.Id), "another user's right password from the same address");
    }

    [Test]
    public async Task Login_30WrongPasswordsAtOnce_OnlyTheLimitAreCheckedAndTheCountStopsAtIt()
    {
        var user = await _perEmail.RegisterAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(async i =>
        {
            using var response = await _perEmail.SendLoginAsync(user.Email, $"Wrong!Passw0rd{i}");
            return response.StatusCode;
        }));
        var failures = await _env.Inspector.ExecuteAsync("GET", $"{_perEmail.KeyPrefix}login-failures:email:{Distributed.Gateway.Users.UserStore.EmailHash(user.Email)}");
        using var right = await _perEmail.SendLoginAsync(user.Email, user.Password);

        Assert.Multiple(async () =>
        {
            Assert.That(statuses.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(MaxFailuresPerEmail), "passwords checked");
            Assert.That(statuses.Count(s => s == HttpStatusCode.TooManyRequests), Is.EqualTo(30 - MaxFailuresPerEmail), "refused unchecked");
            Assert.That((long)failures, Is.EqualTo(MaxFailuresPerEmail), "the failure count stops at the limit");
            await right.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        });
    }

    [Test]
    public async Task Login_LockedOutOnOneReplica_IsLockedOutOnAnotherSharingRedis()
    {
        await using var replica = await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], _perEmail.KeyPrefix, Settings(MaxFailuresPerEmail, 1000));
        var user = await _perEmail.RegisterAsync();
        await FailAsync(_perEmail, user.Email, MaxFailuresPerEmail);

        using var response = await replica.SendLoginAsync(user.Email, user.Password);

        await response.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    private async Task<GatewayHost> StartGatewayAsync(int perEmail, int perAddressAndEmail, int perAddress = 1000) =>
        await GatewayHost.StartAsync(_env.Redis, [_env.Worker.Address], settings: Settings(perEmail, perAddressAndEmail, perAddress));

    private static Dictionary<string, string?> Settings(int perEmail, int perAddressAndEmail, int perAddress = 1000) => new()
    {
        ["Auth:LoginMaxFailuresPerEmail"] = perEmail.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:LoginMaxFailuresPerAddress"] = perAddressAndEmail.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:LoginMaxFailuresPerAddressTotal"] = perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Auth:LoginLockout"] = Lockout.ToString(),
    };

    /// <summary>Fails <paramref name="count"/> logins with a wrong password, each answered 401; returns the statuses.</summary>
    private static async Task<HttpStatusCode[]> FailAsync(GatewayHost gateway, string email, int count)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++)
        {
            using var response = await gateway.SendLoginAsync(email, $"Wrong!Passw0rd{i}");
            await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
            statuses.Add(response.StatusCode);
        }

        return [.. statuses];
    }

    private static string Shape(JsonElement problem) =>
        $"{problem.GetProperty("status").GetInt32()}|{problem.GetProperty("title").GetString()}|{problem.GetProperty("detail").GetString()}";
}
