using Distributed.Grpc.Tests.Echo;
using Distributed.Grpc.Tests.Support;
using Google.Protobuf;

namespace Distributed.Grpc.Tests;

/// <summary>MaxReceiveMessageSize / MaxSendMessageSize on both sides end calls with RESOURCE_EXHAUSTED.</summary>
[TestFixture]
public sealed class MessageSizeTests
{
    private const int ServerLimit = 64 * 1024;

    private EchoServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await EchoServer.StartAsync(options =>
    {
        options.MaxReceiveMessageSize = ServerLimit;
        options.MaxSendMessageSize = ServerLimit;
    });

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public void UnaryAsync_RequestOverServerReceiveLimit_ThrowsResourceExhausted()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var request = new SayRequest { Payload = ByteString.CopyFrom(new byte[ServerLimit + 1]) };

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, request));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [Test]
    public void UnaryAsync_ReplyOverServerSendLimit_ThrowsResourceExhausted()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);

        var error = Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Say, new SayRequest { ReplySize = ServerLimit + 1 }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [Test]
    public void UnaryAsync_ReplyOverClientReceiveLimit_ThrowsResourceExhausted()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });

        var error = Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EchoMethods.Say, new SayRequest { ReplySize = 4096 }));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [Test]
    public void UnaryAsync_RequestOverClientSendLimit_ThrowsResourceExhausted()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { MaxSendMessageSize = 1024 });
        var request = new SayRequest { Payload = ByteString.CopyFrom(new byte[4096]) };

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, request));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [Test]
    public async Task UnaryAsync_MessagesJustUnderLimits_Succeed()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);
        var request = new SayRequest { Payload = ByteString.CopyFrom(new byte[ServerLimit - 1024]), ReplySize = ServerLimit - 1024 };

        var reply = await channel.UnaryAsync(EchoMethods.Say, request);

        Assert.That(reply.Payload.Length, Is.EqualTo(ServerLimit - 1024));
    }
}
