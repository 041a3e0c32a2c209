using Distributed.Contracts;
using Grpc.Core;
using Grpc.Net.Client;

namespace Distributed.Gateway.Tests.GrpcProxy;

/// <summary>
/// What the front door passes through unchanged, seen from a <see cref="FakeWorker"/>: deadlines and cancellation
/// reach the worker, a status sent after streamed replies arrives as the call's status, the caller's credentials do not.
/// </summary>
[TestFixture]
public sealed class GrpcFrontDoorPassThroughTests
{
    private SharedEnvironment _env = null!;
    private FakeWorker _worker = null!;
    private GatewayHost _gateway = null!;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task SetUpAsync()
    {
        _env = await SharedEnvironment.GetAsync();
        _worker = await FakeWorker.StartAsync(FakeGenerate.Script);
        _gateway = await GatewayHost.StartAsync(_env.Redis, [_worker.Address]);
        await _gateway.WaitUntilReadyAsync();
        _channel = GrpcChannel.ForAddress(_gateway.GrpcAddress);
    }

    [OneTimeTearDown]
    public async Task TearDownAsync()
    {
        _channel?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    [SetUp]
    public void Reset()
    {
        _worker.Behaviour = FakeGenerate.Script;
        _worker.Script = ["Once", " upon", " a", " time."];
        _worker.ScriptDelay = TimeSpan.Zero;
    }

    [Test]
    public async Task Generate_Forwarded_WorkerSeesRoutingHeadersButNoCredentials()
    {
        var headers = GrpcFrontDoorTests.Headers(TestKeys.Service);
        headers.Add(InferenceHeaders.CacheKey, "conversation-1");

        var outcome = await GrpcFrontDoorTests.RunAsync(new Contracts.Inference.V1.Inference.InferenceClient(_channel), Request(), headers);

        Assert.That(string.Concat(outcome.Deltas), Is.EqualTo("Once upon a time."));
        var seen = _worker.LastHeaders!;
        Assert.That(seen.GetValue(InferenceHeaders.Model), Is.EqualTo(WorkerProcess.Stories));
        Assert.That(seen.GetValue(InferenceHeaders.CacheKey), Is.EqualTo("conversation-1"));
        Assert.That(seen.Get("x-api-key"), Is.Null);
        Assert.That(seen.Get("authorization"), Is.Null);
    }

    [Test]
    public async Task Generate_DeadlinePasses_ClientGetsDeadlineExceededAndWorkerIsCancelled()
    {
        _worker.ScriptDelay = TimeSpan.FromMinutes(5);
        var cancelledBefore = _worker.CancelledCalls;

        var error = Assert.ThrowsAsync<RpcException>(() => GrpcFrontDoorTests.RunAsync(
            new Contracts.Inference.V1.Inference.InferenceClient(_channel), Request(), GrpcFrontDoorTests.Headers(TestKeys.Service), DateTime.UtcNow.AddMilliseconds(500)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        await Wait.UntilAsync(() => Task.FromResult(_worker.CancelledCalls > cancelledBefore), TimeSpan.FromSeconds(30), "the worker to see the call end");
        Assert.That(_worker.LastDeadline, Is.LessThan(DateTime.UtcNow.AddSeconds(30)), "the deadline travelled to the worker (grpc-timeout)");
    }

    [Test]
    public async Task Generate_ClientCancels_WorkerIsCancelled()
    {
        _worker.ScriptDelay = TimeSpan.FromMinutes(5);
        var cancelledBefore = _worker.CancelledCalls;
        var callsBefore = _worker.GenerateCalls;
        using var cts = new CancellationTokenSource();

        var call = GrpcFrontDoorTests.RunAsync(
            new Contracts.Inference.V1.Inference.InferenceClient(_channel), Request(), GrpcFrontDoorTests.Headers(TestKeys.Service), ct: cts.Token);
        await Wait.UntilAsync(() => Task.FromResult(_worker.GenerateCalls > callsBefore), TimeSpan.FromSeconds(30), "the call to reach the worker");
        await cts.CancelAsync();

        Assert.That(async () => await call, Throws.InstanceOf<Exception>());
        await Wait.UntilAsync(() => Task.FromResult(_worker.CancelledCalls > cancelledBefore), TimeSpan.FromSeconds(30), "the worker to see the cancellation");
    }

    [Test]
    public void Generate_WorkerFailsAfterFirstReply_ClientGetsReplyThenTheWorkersStatus()
    {
        _worker.Behaviour = FakeGenerate.FailAfterFirstDelta;
        var deltas = new List<string>();
        using var call = new Contracts.Inference.V1.Inference.InferenceClient(_channel)
            .Generate(Request(), GrpcFrontDoorTests.Headers(TestKeys.Service), DateTime.UtcNow.AddSeconds(30));

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in call.ResponseStream.ReadAllAsync())
            {
                deltas.Add(reply.Delta);
            }
        });

        Assert.That(deltas, Is.EqualTo(new[] { FakeWorker.PartialDelta }));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(error.Status.Detail, Is.EqualTo("fake worker: failed mid-stream on purpose"));
    }

    private static Contracts.Inference.V1.GenerateRequest Request() => GrpcFrontDoorTests.Request(WorkerProcess.Stories, "Once", 8);
}
