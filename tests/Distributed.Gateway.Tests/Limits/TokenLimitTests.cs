using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Gateway.Tests.Limits;

/// <summary>
/// Generated tokens per minute per principal: a generation may start while the principal has used less than its budget
/// this minute; once the tokens the worker reported reach it, the next generation gets 429 with Retry-After.
/// </summary>
[TestFixture]
public sealed class TokenLimitTests
{
    private const int TokensPerMinute = 8;

    private SharedEnvironment _env = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync() => _env = await SharedEnvironment.GetAsync();

    [Test]
    public async Task TokensPerMinute_BudgetUsedUp_NextGenerationGets429AndTheCounterHoldsTheReportedTokens()
    {
        var clock = new MinuteStartClock();
        await using var gateway = await StartAsync(clock);
        using var alice = gateway.CreateClient(TestKeys.Alice);
        var session = await alice.CreateSessionAsync();
        var conversation = await alice.CreateConversationAsync(session);
        var query = new { query = "Once upon a time", max_tokens = TokensPerMinute, temperature = 0 };

        // Each generation makes 1..8 tokens, so the budget is used up within 8 of them; until then each is served.
        var used = 0;
        var generations = 0;
        while (used < TokensPerMinute)
        {
            Assert.That(generations, Is.LessThan(TokensPerMinute), "the budget should be used up by now");
            var done = (await alice.StreamQueryAsync(session, conversation, query)).Done();
            var tokens = done.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
            Assert.That(tokens, Is.InRange(1, TokensPerMinute));
            used += tokens;
            generations++;
        }

        using var refused = await alice.PostJsonAsync(GatewayApi.QueryPath(session, conversation), query);

        await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.Not.Null.And.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60)));
        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        var counter = await _env.Inspector.ExecuteAsync("GET", $"{gateway.KeyPrefix}usage:tokens:alice:{minute}");
        Assert.That(counter.AsString(), Is.EqualTo(used.ToString(CultureInfo.InvariantCulture)), "the counter holds exactly the tokens the worker reported");
        Assert.That(await alice.GetTurnsAsync(session, conversation), Has.Count.EqualTo(2 * generations), "the refused query stored nothing");
    }

    [Test]
    public async Task TokensPerMinute_BudgetUsedUp_StreamingAndPromptAreRefusedToo_OtherPrincipalsAreServed()
    {
        await using var gateway = await StartAsync(new MinuteStartClock());
        using var alice = gateway.CreateClient(TestKeys.Alice);
        using var bob = gateway.CreateClient(TestKeys.Bob);
        var session = await alice.CreateSessionAsync();
        var conversation = await alice.CreateConversationAsync(session);
        await UseUpAsync(alice);

        using var streamed = await alice.SendStreamingQueryAsync(session, conversation, new { query = "Hi", max_tokens = 2 });
        using var prompt = await alice.PostJsonAsync("/prompt", new { prompt = "Hi", max_tokens = 2 });

        await streamed.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        await prompt.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
        var bobs = await bob.CreateSessionAsync();
        await bob.QueryAsync(bobs, await bob.CreateConversationAsync(bobs), new { query = "Hi", max_tokens = 2 });
    }

    [Test]
    public async Task TokensPerMinute_PromptGenerations_CountAgainstTheBudget()
    {
        var clock = new MinuteStartClock();
        await using var gateway = await StartAsync(clock);
        using var carol = gateway.CreateClient(TestKeys.Carol);

        await carol.PostJsonAsync("/prompt", new { prompt = "Once upon a time", max_tokens = 3 }).ExpectJsonAsync(HttpStatusCode.OK);

        var minute = clock.GetUtcNow().ToUnixTimeSeconds() / 60;
        var counter = await _env.Inspector.ExecuteAsync("GET", $"{gateway.KeyPrefix}usage:tokens:carol:{minute}");
        Assert.That(long.Parse(counter.AsString()!, CultureInfo.InvariantCulture), Is.InRange(1, 3));
    }

    [Test]
    public async Task TokensPerMinute_BudgetUsedUpOnOneReplica_AnotherReplicaRefuses()
    {
        var clock = new MinuteStartClock();
        await using var replicaA = await StartAsync(clock);
        await using var replicaB = await StartAsync(clock, replicaA.KeyPrefix);
        using var aliceOnA = replicaA.CreateClient(TestKeys.Alice);
        using var aliceOnB = replicaB.CreateClient(TestKeys.Alice);
        await UseUpAsync(aliceOnA);

        using var refused = await aliceOnB.PostJsonAsync("/prompt", new { prompt = "Hi", max_tokens = 2 });

        await refused.ExpectProblemAsync(HttpStatusCode.TooManyRequests);
    }

    /// <summary>One-shot prompts of the whole budget until one is refused (at most one per token of the budget).</summary>
    private static async Task UseUpAsync(HttpClient client)
    {
        for (var i = 0; i <= TokensPerMinute; i++)
        {
            using var response = await client.PostJsonAsync("/prompt", new { prompt = "Once upon a time", max_tokens = TokensPerMinute, temperature = 0 });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return;
            }

            await response.ExpectStatusAsync(HttpStatusCode.OK);
        }

        Assert.Fail($"No 429 after {TokensPerMinute + 1} generations of up to {TokensPerMinute} tokens each.");
    }

    private async Task<GatewayHost> StartAsync(TimeProvider clock, string? keyPrefix = null)
    {
        var gateway = await GatewayHost.StartAsync(
            _env.Redis,
            [_env.Worker.Address],
            keyPrefix,
            new Dictionary<string, string?>
            {
                ["Limits:User:TokensPerMinute"] = TokensPerMinute.ToString(CultureInfo.InvariantCulture),
            },
            services => services.AddSingleton(clock));
        await gateway.WaitUntilReadyAsync();
        return gateway;
    }
}
