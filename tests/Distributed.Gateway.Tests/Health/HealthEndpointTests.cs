using System.Net;

namespace Distributed.Gateway.Tests.Health;

/// <summary><c>/health/live</c> and <c>/health/ready</c> on a healthy system (Redis stopped: see Storage/RedisOutageTests).</summary>
[TestFixture]
public sealed class HealthEndpointTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _anonymous = _env.Gateway.CreateClient(apiKey: null);
    }

    [OneTimeTearDown]
    public void TearDown() => _anonymous.Dispose();

    [Test]
    public async Task Live_WithoutApiKey_Returns200Live()
    {
        var body = await _anonymous.GetAsync("/health/live").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("live"));
    }

    [Test]
    public async Task Ready_RedisAndWorkerUp_Returns200WithComponentStates()
    {
        var body = await _anonymous.GetAsync("/health/ready").ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("ready"));
            Assert.That(body.GetProperty("redis").GetString(), Is.EqualTo("ok"));
            Assert.That(body.GetProperty("workers").GetProperty("healthy").GetInt32(), Is.EqualTo(1));
            Assert.That(body.GetProperty("workers").GetProperty("total").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Ready_WithWrongApiKey_StillOpen()
    {
        using var client = _env.Gateway.CreateClient("not-a-key");

        using var response = await client.GetAsync("/health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
