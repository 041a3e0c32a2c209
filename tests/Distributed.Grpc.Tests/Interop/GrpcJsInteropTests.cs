using System.Text.Json;
using Distributed.Grpc.Tests.Echo;
using Distributed.Grpc.Tests.Support;

namespace Distributed.Grpc.Tests.Interop;

/// <summary>
/// Wire compatibility with a real peer: the grpc-js client (tests/interop/client.js) against our server,
/// and our client against the grpc-js server (tests/interop/server.js).
/// </summary>
[TestFixture]
public sealed class GrpcJsInteropTests
{
    private EchoServer _server = null!;
    private JsonElement _jsClientResults;
    private NodeProcess _jsServer = null!;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        if (!Directory.Exists(Path.Combine(RepoPaths.Interop, "node_modules", "@grpc", "grpc-js")))
        {
            await NodeProcess.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(3));
        }

        _jsServer = NodeProcess.Start("server.js");
        _server = await EchoServer.StartAsync();

        // Every grpc-js client scenario runs in one node process (they run concurrently there).
        var output = await NodeProcess.RunAsync("node", ["client.js", $"127.0.0.1:{_server.Address.Port}"], TimeSpan.FromSeconds(30));
        _jsClientResults = JsonDocument.Parse(output).RootElement.Clone();

        var listening = await _jsServer.WaitForEventAsync("listening");
        _channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{listening.GetProperty("port").GetInt32()}"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _channel?.Dispose();
        if (_jsServer is not null)
        {
            await _jsServer.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Test]
    public void GrpcJsClient_Unary_GetsEchoAndServerSeesItsHeaders()
    {
        var result = JsResult("unary");
        var reply = result.GetProperty("reply");
        var headers = reply.GetProperty("headers");

        Assert.That(Code(result), Is.EqualTo(StatusCode.OK));
        Assert.That(reply.GetProperty("text").GetString(), Is.EqualTo("hello from grpc-js"));
        Assert.That(headers.GetProperty("x-trace-id").GetString(), Is.EqualTo("js-123"));
        Assert.That(headers.GetProperty("te").GetString(), Is.EqualTo("trailers"));
        Assert.That(headers.GetProperty("content-type").GetString(), Is.EqualTo("application/grpc"));
        Assert.That(headers.GetProperty("user-agent").GetString(), Does.StartWith("grpc-node-js/"));
    }

    [Test]
    public void GrpcJsClient_ServerStreaming_GetsRepliesInOrder()
    {
        var result = JsResult("streaming");

        Assert.That(Code(result), Is.EqualTo(StatusCode.OK));
        Assert.That(Items(result), Is.EqualTo(new[] { 0, 1, 2, 3, 4 }));
    }

    [Test]
    public void GrpcJsClient_StreamFailsAfterReplies_GetsRepliesThenStatus()
    {
        var result = JsResult("streamingError");

        Assert.That(Items(result), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(Code(result), Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(Details(result), Is.EqualTo("stop"));
    }

    [Test]
    public void GrpcJsClient_ErrorStatus_GetsCodeAndDecodedNonAsciiMessage()
    {
        var result = JsResult("error");

        Assert.That(Code(result), Is.EqualTo(StatusCode.NotFound));
        Assert.That(Details(result), Is.EqualTo("nope: ünïcødé ✓ 100%"));
    }

    [Test]
    public void GrpcJsClient_HandlerThrows_GetsInternal()
    {
        Assert.That(Code(JsResult("internal")), Is.EqualTo(StatusCode.Internal));
    }

    [Test]
    public void GrpcJsClient_UnknownMethod_GetsUnimplemented()
    {
        Assert.That(Code(JsResult("unimplemented")), Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public async Task GrpcJsClient_DeadlinePasses_GetsDeadlineExceededAndServerTokenFires()
    {
        Assert.That(Code(JsResult("deadline")), Is.EqualTo(StatusCode.DeadlineExceeded));
        await _server.Events.WaitAsync("js-deadline", "cancelled");
    }

    [Test]
    public async Task GrpcJsClient_Cancels_ServerTokenFires()
    {
        Assert.That(Code(JsResult("cancel")), Is.EqualTo(StatusCode.Cancelled));
        await _server.Events.WaitAsync("js-cancel", "cancelled");
    }

    [Test]
    public async Task GrpcJsServer_Unary_ReturnsEchoAndSeesOurHeaders()
    {
        var options = new CallOptions(Headers: new Dictionary<string, string> { ["x-trace-id"] = "cs-456" });

        var reply = await _channel.UnaryAsync(EchoMethods.Say, new SayRequest { Text = "hello from C#", ReplySize = 3 }, options);

        Assert.That(reply.Text, Is.EqualTo("hello from C#"));
        Assert.That(reply.Payload.Length, Is.EqualTo(3));
        Assert.That(reply.Headers["x-trace-id"], Is.EqualTo("cs-456"));
        Assert.That(reply.Headers["user-agent"], Does.Contain("grpc-csharp-distributed/"));
    }

    [Test]
    public async Task GrpcJsServer_ServerStreaming_YieldsRepliesInOrder()
    {
        var received = new List<int>();
        await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 20 }))
        {
            received.Add(reply.I);
        }

        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 20)));
    }

    [Test]
    public void GrpcJsServer_StreamFailsAfterReplies_YieldsRepliesThenThrows()
    {
        var received = new List<int>();
        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            var request = new CountRequest { N = 2, FailCode = (int)StatusCode.Aborted, FailMessage = "aborted by js" };
            await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, request))
            {
                received.Add(reply.I);
            }
        });

        Assert.That(received, Is.EqualTo(new[] { 0, 1 }));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Aborted));
        Assert.That(error.Detail, Is.EqualTo("aborted by js"));
    }

    [Test]
    public void GrpcJsServer_ErrorStatusWithNonAsciiMessage_ClientDecodesIt()
    {
        const string message = "échec ✓ 100% \"quoted\"";

        var error = Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.Fail, new FailRequest { Code = (int)StatusCode.PermissionDenied, Message = message }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(error.Detail, Is.EqualTo(message));
    }

    [Test]
    public void GrpcJsServer_UnknownMethod_ThrowsUnimplemented()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(EchoMethods.Missing, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public async Task GrpcJsServer_DeadlinePasses_ThrowsDeadlineExceededAndServerGotGrpcTimeout()
    {
        const string id = "cs-deadline";
        var options = new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.WaitForCancel, new WaitRequest { Id = id }, options));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        var started = await _jsServer.WaitForEventAsync("started", id);
        Assert.That(started.GetProperty("hasDeadline").GetBoolean(), Is.True);
        await _jsServer.WaitForEventAsync("cancelled", id);
    }

    [Test]
    public async Task GrpcJsServer_TokenCancelled_ThrowsCancelledAndServerSeesIt()
    {
        const string id = "cs-cancel";
        using var cts = new CancellationTokenSource();
        var call = _channel.UnaryAsync(EchoMethods.WaitForCancel, new WaitRequest { Id = id }, new CallOptions(CancellationToken: cts.Token));

        var started = await _jsServer.WaitForEventAsync("started", id);
        await cts.CancelAsync();

        var error = Assert.ThrowsAsync<RpcException>(() => call);
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(started.GetProperty("hasDeadline").GetBoolean(), Is.False);
        await _jsServer.WaitForEventAsync("cancelled", id);
    }

    [Test]
    public async Task GrpcJsServer_StreamStoppedEarly_ServerSeesCancellation()
    {
        const string id = "cs-stream-stop";
        var received = 0;

        await foreach (var _ in _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { Id = id, N = 100_000, DelayMs = 5 }))
        {
            if (++received == 3)
            {
                break;
            }
        }

        await _jsServer.WaitForEventAsync("cancelled", id);
    }

    [Test]
    public async Task GrpcJsServer_ManyConcurrentCalls_AllSucceed()
    {
        var unary = Enumerable.Range(0, 100).Select(async i =>
            (await _channel.UnaryAsync(EchoMethods.Say, new SayRequest { Text = $"{i}" })).Text == $"{i}");
        var streams = Enumerable.Range(0, 10).Select(async _ =>
        {
            var count = 0;
            await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 10 }))
            {
                count += reply.I == count ? 1 : 100;
            }

            return count == 10;
        });

        var results = await Task.WhenAll(unary.Concat(streams)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(results, Is.All.True);
    }

    private JsonElement JsResult(string scenario) => _jsClientResults.GetProperty(scenario);

    private static StatusCode Code(JsonElement result) => (StatusCode)result.GetProperty("code").GetInt32();

    private static string? Details(JsonElement result) => result.GetProperty("details").GetString();

    private static int[] Items(JsonElement result) =>
        result.GetProperty("items").EnumerateArray().Select(item => item.GetInt32()).ToArray();
}
