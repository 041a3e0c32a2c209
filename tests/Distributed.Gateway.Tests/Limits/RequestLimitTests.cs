using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Gateway.Tests.Limits;

/// <summary>
/// Requests per minute per principal (OWASP LLM10): over the budget a principal gets 429 with Retry-After, other
/// principals are unaffected, admins are unlimited by default, and the count lives in Redis so it holds across
/// gateway replicas. Each test runs its own gateways on a clock whose minute has just begun (one window per test).
/// </summary>
[TestFixture]
public sealed class RequestLimitTests
{
    private const int RequestsPerMinute = 5;

    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task RequestsPerMinute_OverTheLimit_Returns429WithRetryAfter()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        using var alice = gateway.CreateClient(TestKeys.Alice);
        await SucceedAsync(alice, RequestsPerMinute);

        using var over = await alice.GetAsync("/llm/sessions");

        var problem = await over.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Multiple(() =>
        {
            Assert.That(over.Headers.RetryAfter?.Delta, Is.Not.Null, "Retry-After in seconds");
            Assert.That(over.Headers.RetryAfter!.Delta!.Value, Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain(RequestsPerMinute.ToString(CultureInfo.InvariantCulture)));
        });
    }

    [Test]
    public async Task RequestsPerMinute_OverTheLimit_EveryRouteIsRefusedAndNothingIsCreated()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        using var alice = gateway.CreateClient(TestKeys.Alice);
        await SucceedAsync(alice, RequestsPerMinute);

        using var create = await alice.PostJsonAsync("/llm/sessions", new { model_name = WorkerProcess.Stories });
        using var key = await alice.PostJsonAsync("/auth/keys", new { name = "over the limit" });
        using var prompt = await alice.PostJsonAsync("/prompt", new { prompt = "Once upon a time", max_tokens = 2 });

        await create.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        await key.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        await prompt.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(await _env.Inspector.KeysAsync($"{gateway.KeyPrefix}*:session"), Is.Empty);
        Assert.That(await _env.Inspector.KeysAsync($"{gateway.KeyPrefix}apikey:*"), Is.Empty);
    }

    [Test]
    public async Task RequestsPerMinute_OnePrincipalOverTheLimit_OthersAreServed()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        using var alice = gateway.CreateClient(TestKeys.Alice);
        using var bob = gateway.CreateClient(TestKeys.Bob);
        await SucceedAsync(alice, RequestsPerMinute);
        using (var refused = await alice.GetAsync("/llm/sessions"))
        {
            await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        }

        await SucceedAsync(bob, RequestsPerMinute);
    }

    [Test]
    public async Task RequestsPerMinute_Admin_IsUnlimitedByDefault()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        using var admin = gateway.CreateClient(TestKeys.Admin);

        await SucceedAsync(admin, RequestsPerMinute * 3);
    }

    [Test]
    public async Task RequestsPerMinute_AnonymousAndRejectedRequests_AreNotCounted()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        using var anonymous = gateway.CreateClient(apiKey: null);
        using var alice = gateway.CreateClient(TestKeys.Alice);
        for (var i = 0; i < RequestsPerMinute * 2; i++)
        {
            using var live = await anonymous.GetAsync("/health/live");
            await live.ExpectStatusAsync(HttpStatusCode.OK);
            using var unauthorized = await anonymous.GetAsync("/llm/sessions");
            await unauthorized.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        }

        await SucceedAsync(alice, RequestsPerMinute);
    }

    [Test]
    public async Task RequestsPerMinute_TokenAndIssuedKeyOfOneUser_ShareOneBudget()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        var (_, bearer, _) = await gateway.NewUserClientAsync("budget");
        using var owned = bearer;
        var key = (await bearer.CreateKeyAsync()).GetProperty("key").GetString()!;
        using var keyed = gateway.CreateClient(key);

        await SucceedAsync(bearer, 2);
        await SucceedAsync(keyed, RequestsPerMinute - 3);

        using var overByToken = await bearer.GetAsync("/llm/sessions");
        using var overByKey = await keyed.GetAsync("/llm/sessions");
        await overByToken.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        await overByKey.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Test]
    public async Task RequestsPerMinute_TwoReplicasSharingRedis_CountTogether()
    {
        var clock = new MinuteStartClock();
        await using var replicaA = await StartAsync(clock);
        await using var replicaB = await StartAsync(clock, replicaA.KeyPrefix);
        using var aliceOnA = replicaA.CreateClient(TestKeys.Alice);
        using var aliceOnB = replicaB.CreateClient(TestKeys.Alice);
        using var bobOnA = replicaA.CreateClient(TestKeys.Bob);
        using var bobOnB = replicaB.CreateClient(TestKeys.Bob);

        // The whole budget spent on A: B refuses the next request.
        await SucceedAsync(aliceOnA, RequestsPerMinute);
        using (var refused = await aliceOnB.GetAsync("/llm/sessions"))
        {
            await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        }

        // Spread over both: the total counts.
        await SucceedAsync(bobOnA, 3);
        await SucceedAsync(bobOnB, RequestsPerMinute - 3);
        using var overOnA = await bobOnA.GetAsync("/llm/sessions");
        await overOnA.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    private async Task<GatewayHost> StartAsync(TimeProvider clock, string? keyPrefix = null) =>
        await GatewayHost.StartAsync(
            _env.Redis,
            [_env.Worker.Address],
            keyPrefix,
            new Dictionary<string, string?>
            {
                ["Limits:User:RequestsPerMinute"] = RequestsPerMinute.ToString(CultureInfo.InvariantCulture),
            },
            services => services.AddSingleton(clock));

    private static async Task SucceedAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync("/llm/sessions");
            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }
    }
}
