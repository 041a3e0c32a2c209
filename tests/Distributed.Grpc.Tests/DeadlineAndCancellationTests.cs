using Distributed.Grpc.Tests.Echo;
using Distributed.Grpc.Tests.Support;

namespace Distributed.Grpc.Tests;

/// <summary>
/// Deadlines and cancellation on both sides of the wire. Server-side effects are observed through
/// events the handlers signal, never through sleeps.
/// </summary>
[TestFixture]
public sealed class DeadlineAndCancellationTests
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
    public async Task UnaryAsync_DeadlinePasses_ClientSeesDeadlineExceededAndServerTokenFires()
    {
        var id = NewId();
        var options = new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.WaitForCancel, new WaitRequest { Id = id }, options));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        await _server.Events.WaitAsync(id, "cancelled");
    }

    [Test]
    public void UnaryAsync_DeadlineAlreadyPassed_ThrowsDeadlineExceededWithoutCalling()
    {
        var id = NewId();
        var options = new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1));

        var error = Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(EchoMethods.WaitForCancel, new WaitRequest { Id = id }, options));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(_server.Events.HasHappened(id, "started"), Is.False);
    }

    [Test]
    public async Task UnaryAsync_ServerEnforcesGrpcTimeout_ReturnsDeadlineExceededEvenIfHandlerIgnoresToken()
    {
        // The client has no deadline of its own here: only the server's reading of grpc-timeout can end the call.
        var id = NewId();
        var options = new CallOptions(Headers: new Dictionary<string, string> { ["grpc-timeout"] = "1S" });
        try
        {
            var error = Assert.ThrowsAsync<RpcException>(() =>
                _channel.UnaryAsync(EchoMethods.WaitForCancel, new WaitRequest { Id = id, IgnoreCancellation = true }, options)
                    .WaitAsync(ServerEvents.Timeout));

            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
            await _server.Events.WaitAsync(id, "cancelled");
        }
        finally
        {
            _server.Events.Signal(id, "release");
        }
    }

    [Test]
    public async Task ServerStreamingAsync_DeadlinePassesMidStream_ThrowsDeadlineExceeded()
    {
        var id = NewId();
        var received = 0;
        var options = new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1));

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            var request = new CountRequest { Id = id, N = 100_000, DelayMs = 10 };
            await foreach (var _ in _channel.ServerStreamingAsync(EchoMethods.Count, request, options))
            {
                received++;
            }
        });

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
        Assert.That(received, Is.GreaterThan(0));
        await _server.Events.WaitAsync(id, "cancelled");
    }

    [Test]
    public async Task UnaryAsync_TokenCancelled_ClientSeesCancelledAndServerTokenFires()
    {
        var id = NewId();
        using var cts = new CancellationTokenSource();
        var call = _channel.UnaryAsync(EchoMethods.WaitForCancel, new WaitRequest { Id = id }, new CallOptions(CancellationToken: cts.Token));

        await _server.Events.WaitAsync(id, "started");
        await cts.CancelAsync();

        var error = Assert.ThrowsAsync<RpcException>(() => call);
        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await _server.Events.WaitAsync(id, "cancelled");
    }

    [Test]
    public async Task ServerStreamingAsync_EnumerationStoppedEarly_ServerTokenFires()
    {
        var id = NewId();
        var received = new List<int>();

        await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { Id = id, N = 100_000, DelayMs = 5 }))
        {
            received.Add(reply.I);
            if (received.Count == 3)
            {
                break;
            }
        }

        Assert.That(received, Is.EqualTo(new[] { 0, 1, 2 }));
        await _server.Events.WaitAsync(id, "cancelled");
    }

    [Test]
    public async Task ServerStreamingAsync_EnumeratorTokenCancelled_ThrowsCancelledAndServerTokenFires()
    {
        var id = NewId();
        using var cts = new CancellationTokenSource();

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            var request = new CountRequest { Id = id, N = 100_000, DelayMs = 5 };
            await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, request).WithCancellation(cts.Token))
            {
                if (reply.I == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await _server.Events.WaitAsync(id, "cancelled");
    }

    [Test]
    public async Task ServerStreamingAsync_CallOptionsTokenCancelled_ThrowsCancelled()
    {
        var id = NewId();
        using var cts = new CancellationTokenSource();
        var options = new CallOptions(CancellationToken: cts.Token);

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var reply in _channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest { Id = id, N = 100_000, DelayMs = 5 }, options))
            {
                if (reply.I == 0)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Cancelled));
        await _server.Events.WaitAsync(id, "cancelled");
    }

    private static string NewId() => Guid.NewGuid().ToString("N");
}
