using System.Net;

namespace Distributed.Faults.Tests;

/// <summary>
/// 30 wrong passwords for one email at once: at most <c>Auth:LoginMaxFailuresPerEmail</c> of them are checked (401),
/// the rest are refused (429) - the failure count is taken atomically before the check, not read and then raised.
/// Needs the atomic login throttle (the reliability branch).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LoginGuessTests
{
    private const int MaxFailures = 5;
    private const int Guesses = 30;

    private RedisServerFixture _redis = null!;
    private GatewayProcess _gateway = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _redis = await RedisServerFixture.StartNewAsync();
        // No worker: logins do not need one (the address is never reachable).
        _gateway = await GatewayProcess.StartAsync(_redis, [new Uri($"http://127.0.0.1:{FreePort.Next()}")], new Dictionary<string, string?>
        {
            ["Auth:LoginMaxFailuresPerEmail"] = MaxFailures.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    [OneTimeTearDown]
    public Task TearDownAsync() => Faults.DisposeAllAsync(_gateway, _redis);

    [Test]
    public async Task ParallelWrongPasswords_AtMostTheLimitAreChecked()
    {
        using var client = _gateway.CreateClient(apiKey: null);
        var email = $"guess.{Guid.NewGuid():N}@example.com";
        using (var registered = await client.PostAsync("/user/register", Api.Json(new { email, firstName = "Test", lastName = "User", password = "Str0ng!Passw0rd" })))
        {
            await Api.ExpectAsync(registered, HttpStatusCode.Created);
        }

        using var start = new SemaphoreSlim(0);
        var guesses = Enumerable.Range(0, Guesses).Select(i => Task.Run(async () =>
        {
            await start.WaitAsync();
            using var response = await client.PostAsync("/auth/login", Api.Json(new { email, password = $"Wrong!Passw0rd{i}" }));
            return response.StatusCode;
        })).ToArray();
        start.Release(Guesses);
        var statuses = await Task.WhenAll(guesses).WaitAsync(Faults.Bound);

        var counts = statuses.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var summary = string.Join(", ", counts.Select(kv => $"{(int)kv.Key}: {kv.Value}"));
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.Unauthorized).Or.EqualTo(HttpStatusCode.TooManyRequests), summary);
            Assert.That(counts.GetValueOrDefault(HttpStatusCode.Unauthorized), Is.InRange(1, MaxFailures), "checked (401): " + summary);
            Assert.That(counts.GetValueOrDefault(HttpStatusCode.TooManyRequests), Is.EqualTo(Guesses - counts.GetValueOrDefault(HttpStatusCode.Unauthorized)), summary);
        });
    }
}
