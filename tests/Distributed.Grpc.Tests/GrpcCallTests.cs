using Distributed.Grpc.Tests.Echo;
using Distributed.Grpc.Tests.Support;

namespace Distributed.Grpc.Tests;

/// <summary>Our client against our server on real Kestrel: the normal paths, errors and concurrency.</summary>
[TestFixture]
public sealed class GrpcCallTests
{
    private EchoServer _server = null!;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await EchoServer.StartAsync();
        _channel = GrpcChannel.ForAddress(_server.Address);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _channel.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task UnaryAsync_EchoRequest_ReturnsReplyAndSendsProtocolHeaders()
    {
        var reply = await _channel.UnaryAsync(EchoMethods.Say, new SayRequest { Text = "hello" });

        Assert.That(reply.Text, Is.EqualTo("hello"));
        Assert.That(reply.Headers["content-type"], Is.EqualTo("application/grpc"));
        Assert.That(reply.Headers["te"], Is.EqualTo("trailers"));
        Assert.That(reply.Headers["user-agent"], Does.StartWith("grpc-csharp-distributed/"));
        Assert.That(reply.Headers.ContainsKey("grpc-timeout"), Is.False);
    }

    [Test]
    public async Task UnaryAsync_CustomMetadataAndDeadline_ServerSeesThem()
    {
        var options = new CallOptions(
            Deadline: DateTime.UtcNow.AddMinutes(1),
            Headers: new Dictionary<string, string> { ["x-trace-id"] = "abc-123" });

        var reply = await _channel.UnaryAsync(EchoMethods.Say, new SayRequest { Text = "meta" }, options);

        Assert.That(reply.Headers["x-trace-id"], Is.EqualTo("abc-123"));
        Assert.That(reply.Headers["grpc-timeout"], Does.Match("^[0-9]{1,8}[HMSmun]$"));
    }

    [Test]
    public async Task ServerStreamingAsync_CountTen_YieldsRepliesInOrder()
    {
        var received = new List<int>();
        await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 10 }))
        {
            received.Add(reply.I);
        }

        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public async Task ServerStreamingAsync_ZeroReplies_CompletesEmpty()
    {
        var received = await ToListAsync(_channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 0 }));

        Assert.That(received, Is.Empty);
    }

    [Test]
    public async Task Calls_ManyConcurrentOnOneChannel_AllSucceed()
    {
        // 220 calls at once: more than Kestrel's 100 streams per connection, so the client must open more connections.
        var unary = Enumerable.Range(0, 200).Select(async i =>
        {
            var reply = await _channel.UnaryAsync(EchoMethods.Say, new SayRequest { Text = $"call {i}" });
            return reply.Text == $"call {i}";
        });
        var streams = Enumerable.Range(0, 20).Select(async _ =>
        {
            var replies = await ToListAsync(_channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 25, DelayMs = 1 }));
            return replies.Select(r => r.I).SequenceEqual(Enumerable.Range(0, 25));
        });

        var results = await Task.WhenAll(unary.Concat(streams)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(results, Has.Length.EqualTo(220).And.All.True);
    }

    [Test]
    public async Task ServerStreamingAsync_MoreOpenStreamsThanConnectionLimit_AllRunAtOnce()
    {
        // Kestrel allows 100 concurrent streams per connection; 150 streams that stay open can only all
        // deliver their first reply if the channel opened a second connection.
        var streams = Enumerable.Range(0, 150)
            .Select(_ => _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 2, DelayMs = 60_000 }).GetAsyncEnumerator())
            .ToList();
        try
        {
            var firstReplies = await Task.WhenAll(streams.Select(s => s.MoveNextAsync().AsTask())).WaitAsync(ServerEvents.Timeout);

            Assert.That(firstReplies, Is.All.True);
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [TestCase("not found", TestName = "UnaryAsync_RpcExceptionAsciiMessage_ClientSeesStatusAndMessage")]
    [TestCase("ünïcødé ✓ 100% done\r\n\ttab", TestName = "UnaryAsync_RpcExceptionNonAsciiMessage_ClientSeesDecodedMessage")]
    public void UnaryAsync_HandlerThrowsRpcException_ClientSeesStatusAndMessage(string message)
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.Fail, new FailRequest { Code = (int)StatusCode.NotFound, Message = message }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.NotFound));
        Assert.That(error.Detail, Is.EqualTo(message));
    }

    [Test]
    public void UnaryAsync_HandlerThrowsPlainException_ClientSeesInternalWithoutDetails()
    {
        var error = Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.Fail, new FailRequest { Code = -1 }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(error.Detail, Does.Not.Contain("secret"));
    }

    [Test]
    public void ServerStreamingAsync_FailsAfterReplies_ClientGetsRepliesThenStatus()
    {
        var received = new List<int>();
        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            var request = new CountRequest { N = 3, FailCode = (int)StatusCode.FailedPrecondition, FailMessage = "stopped at 3" };
            await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, request))
            {
                received.Add(reply.I);
            }
        });

        Assert.That(received, Is.EqualTo(new[] { 0, 1, 2 }));
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(error.Detail, Is.EqualTo("stopped at 3"));
    }

    [Test]
    public void UnaryAsync_UnknownMethod_ThrowsUnimplemented()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(EchoMethods.Missing, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public void UnaryAsync_UnknownService_ThrowsUnimplemented()
    {
        var method = new Method<SayRequest, SayReply>(MethodType.Unary, "nowhere.v1.Nothing", "Say", SayRequest.Parser, SayReply.Parser);

        var error = Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(method, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [Test]
    public void UnaryAsync_ServerDown_ThrowsUnavailable()
    {
        using var channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{PortFinder.GetClosedPort()}"));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
    }

    [Test]
    public void ServerStreamingAsync_ServerDown_ThrowsUnavailable()
    {
        using var channel = GrpcChannel.ForAddress(new Uri($"http://127.0.0.1:{PortFinder.GetClosedPort()}"));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            ToListAsync(channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { N = 1 })));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
