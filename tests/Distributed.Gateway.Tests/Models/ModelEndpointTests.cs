using System.Net;
using System.Text.Json;

namespace Distributed.Gateway.Tests.Models;

/// <summary><c>GET /llm/models</c>: the union of the workers' catalogs.</summary>
[TestFixture]
public sealed class ModelEndpointTests
{
    private SharedEnvironment _env = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _client = _env.Gateway.CreateClient();
    }

    [OneTimeTearDown]
    public void TearDown() => _client.Dispose();

    [Test]
    public async Task ListModels_OneWorker_ListsBothModelsWithAliases()
    {
        var body = await _client.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);

        var models = body.GetProperty("models").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.That(models.Keys, Is.EquivalentTo(new[] { WorkerProcess.Stories, WorkerProcess.TinyRandom }));
        Assert.Multiple(() =>
        {
            Assert.That(Strings(models[WorkerProcess.Stories].GetProperty("aliases")), Is.EqualTo(new[] { "llama2" }));
            Assert.That(Strings(models[WorkerProcess.TinyRandom].GetProperty("aliases")), Is.EqualTo(new[] { "llama3" }));
            foreach (var model in models.Values)
            {
                Assert.That(Strings(model.GetProperty("workers")), Is.EqualTo(new[] { _env.Worker.Address.ToString() }));
                Assert.That(model.GetProperty("size_bytes").GetInt64(), Is.GreaterThan(0));
                Assert.That(model.TryGetProperty("loaded_on", out _), Is.True);
            }
        });
    }

    [Test]
    public async Task ListModels_OneWorker_ReportsTheWorkerHealthy()
    {
        var body = await _client.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);

        var worker = body.GetProperty("workers").EnumerateArray().Single();
        Assert.Multiple(() =>
        {
            Assert.That(worker.GetProperty("address").GetString(), Is.EqualTo(_env.Worker.Address.ToString()));
            Assert.That(worker.GetProperty("worker_id").GetString(), Is.EqualTo("gateway-test-worker"));
            Assert.That(worker.GetProperty("healthy").GetBoolean(), Is.True);
            Assert.That(worker.GetProperty("error").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
    }

    [Test]
    public async Task ListModels_WithoutApiKey_Returns401()
    {
        using var anonymous = _env.Gateway.CreateClient(apiKey: null);

        using var response = await anonymous.GetAsync("/llm/models");

        await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
