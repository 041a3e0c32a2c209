using System.Net;

namespace Distributed.Gateway.Tests.Workers;

/// <summary>
/// The only worker process is killed: once the gateway's poll notices, queries get 503 with Retry-After (not a hang,
/// not a 500), readiness fails, and nothing is half-written. A worker process and a gateway of its own.
/// </summary>
[TestFixture]
public sealed class WorkerDownTests
{
    private SharedEnvironment _env = null!;
    private WorkerProcess _worker = null!;
    private GatewayHost _gateway = null!;
    private HttpClient _client = null!;
    private Guid _session;
    private Guid _conversation;
    private IReadOnlyList<Turn> _history = [];

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _worker = await WorkerProcess.StartAsync();
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_worker.Address]);
        await _gateway.WaitUntilReadyAsync();
        _client = _gateway.CreateClient();
        _session = await _client.CreateSessionAsync();
        _conversation = await _client.CreateConversationAsync(_session);
        await _client.QueryAsync(_session, _conversation, new { query = "Once upon a time", max_tokens = 4 });
        _history = await _client.GetTurnsAsync(_session, _conversation);

        await _worker.KillAsync();
        using var anonymous = _gateway.CreateClient(apiKey: null);
        await Wait.UntilAsync(
            async () =>
            {
                using var ready = await anonymous.GetAsync("/health/ready");
                return ready.StatusCode == HttpStatusCode.ServiceUnavailable;
            },
            TimeSpan.FromSeconds(30),
            "the gateway to notice the worker is gone");
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _client?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    [Test]
    public void WorkerProcess_AfterKill_IsGone() => Assert.That(_worker.IsRunning, Is.False);

    [Test]
    public async Task Query_WorkerDown_Returns503WithRetryAfterAndStoresNothing()
    {
        using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(_session, _conversation), new { query = "And then?", max_tokens = 4 });

        await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That(await _client.GetTurnsAsync(_session, _conversation), Is.EqualTo(_history));
    }

    [Test]
    public async Task StreamQuery_WorkerDown_Returns503ProblemBeforeAnyEvent()
    {
        using var response = await _client.SendStreamingQueryAsync(_session, _conversation, new { query = "And then?", max_tokens = 4 });

        await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThan(TimeSpan.Zero));
        Assert.That(await _client.GetTurnsAsync(_session, _conversation), Is.EqualTo(_history));
    }

    [Test]
    public async Task Query_NewConversationWhileWorkerDown_Returns503()
    {
        var conversation = await _client.CreateConversationAsync(_session);

        using var response = await _client.PostJsonAsync(GatewayApi.QueryPath(_session, conversation), new { query = "Hello", max_tokens = 4 });

        await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(await _client.GetTurnsAsync(_session, conversation), Is.Empty);
    }

    [Test]
    public async Task SwitchModel_WorkerDown_Returns503AndKeepsTheModel()
    {
        using var response = await _client.PostJsonAsync($"/llm/sessions/{_session}/switch-model", new { model_name = WorkerProcess.TinyRandom });

        await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(response.Headers.RetryAfter, Is.Not.Null);
        Assert.That((await _client.GetSessionAsync(_session)).GetProperty("model_name").GetString(), Is.EqualTo(WorkerProcess.Stories));
    }

    [Test]
    public async Task Ready_WorkerDown_Returns503WithNoHealthyWorker()
    {
        using var anonymous = _gateway.CreateClient(apiKey: null);

        var body = await anonymous.GetAsync("/health/ready").ExpectJsonAsync(HttpStatusCode.ServiceUnavailable);

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("not_ready"));
            Assert.That(body.GetProperty("redis").GetString(), Is.EqualTo("ok"));
            Assert.That(body.GetProperty("workers").GetProperty("healthy").GetInt32(), Is.Zero);
            Assert.That(body.GetProperty("workers").GetProperty("total").GetInt32(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ListModels_WorkerDown_ShowsTheWorkerUnhealthyWithItsError()
    {
        var body = await _client.GetAsync("/llm/models").ExpectJsonAsync(HttpStatusCode.OK);

        var worker = body.GetProperty("workers").EnumerateArray().Single();
        Assert.That(worker.GetProperty("healthy").GetBoolean(), Is.False);
        Assert.That(worker.GetProperty("error").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task StoreRoutes_WorkerDown_StillWork()
    {
        var conversations = await _client.ListConversationsAsync(_session);
        var view = await _client.GetSessionAsync(_session);

        Assert.That(conversations, Does.Contain(_conversation));
        Assert.That(view.GetProperty("sessionId").GetGuid(), Is.EqualTo(_session));
    }
}
