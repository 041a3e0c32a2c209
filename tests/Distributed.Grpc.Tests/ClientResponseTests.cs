using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Distributed.Grpc.Tests.Echo;
using Distributed.Grpc.Tests.Support;
using Google.Protobuf;

namespace Distributed.Grpc.Tests;

/// <summary>How the client reads odd or broken responses, served by a stub handler instead of a server.</summary>
[TestFixture]
public sealed class ClientResponseTests
{
    [Test]
    public async Task UnaryAsync_Request_HasGrpcHeadersAndHttp2()
    {
        var stub = new StubHandler(_ => Reply(Frame(new SayReply { Text = "ok" }), status: "0"));
        using var channel = Channel(stub);

        var reply = await channel.UnaryAsync(EchoMethods.Say, new SayRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(30)));

        var request = stub.LastRequest!;
        Assert.That(reply.Text, Is.EqualTo("ok"));
        Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(request.RequestUri!.AbsolutePath, Is.EqualTo("/distributed.test.v1.Echo/Say"));
        Assert.That(request.Version, Is.EqualTo(HttpVersion.Version20));
        Assert.That(request.VersionPolicy, Is.EqualTo(HttpVersionPolicy.RequestVersionExact));
        Assert.That(request.Content!.Headers.ContentType!.MediaType, Is.EqualTo("application/grpc"));
        Assert.That(request.Headers.TE.ToString(), Is.EqualTo("trailers"));
        Assert.That(request.Headers.UserAgent.ToString(), Does.StartWith("grpc-csharp-distributed/"));
        Assert.That(request.Headers.GetValues("grpc-timeout").Single(), Does.Match("^[0-9]{1,8}[mu]$"));
    }

    [Test]
    public void UnaryAsync_CompressedReplyWithUnsupportedEncoding_ThrowsInternal()
    {
        using var channel = Channel(new StubHandler(_ =>
        {
            var response = Reply(Frame(new SayReply(), compressed: true), status: "0");
            response.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
            return response;
        }));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
        Assert.That(error.Detail, Does.Contain("gzip"));
    }

    [Test]
    public void UnaryAsync_CompressedFlagWithoutEncoding_ThrowsInternal()
    {
        using var channel = Channel(new StubHandler(_ => Reply(Frame(new SayReply(), compressed: true), status: "0")));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
    }

    [TestCase(HttpStatusCode.BadRequest, StatusCode.Internal)]
    [TestCase(HttpStatusCode.Unauthorized, StatusCode.Unauthenticated)]
    [TestCase(HttpStatusCode.Forbidden, StatusCode.PermissionDenied)]
    [TestCase(HttpStatusCode.NotFound, StatusCode.Unimplemented)]
    [TestCase(HttpStatusCode.TooManyRequests, StatusCode.Unavailable)]
    [TestCase(HttpStatusCode.BadGateway, StatusCode.Unavailable)]
    [TestCase(HttpStatusCode.ServiceUnavailable, StatusCode.Unavailable)]
    [TestCase(HttpStatusCode.GatewayTimeout, StatusCode.Unavailable)]
    [TestCase(HttpStatusCode.InternalServerError, StatusCode.Unknown)]
    public void UnaryAsync_HttpErrorWithoutGrpcStatus_MapsPerSpecTable(HttpStatusCode httpStatus, StatusCode expected)
    {
        using var channel = Channel(new StubHandler(_ => new HttpResponseMessage(httpStatus) { Content = new StringContent("proxy error") }));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public void UnaryAsync_HttpErrorWithGrpcStatus_UsesGrpcStatus()
    {
        using var channel = Channel(new StubHandler(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new ByteArrayContent([]) };
            response.Headers.TryAddWithoutValidation("grpc-status", "7");
            return response;
        }));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
    }

    [Test]
    public void UnaryAsync_NonGrpcContentType_ThrowsInternal()
    {
        using var channel = Channel(new StubHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html/>") }));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
    }

    [Test]
    public void UnaryAsync_NoGrpcStatusInTrailers_ThrowsInternal()
    {
        using var channel = Channel(new StubHandler(_ => Reply(Frame(new SayReply()), status: null)));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
    }

    [Test]
    public void UnaryAsync_OkWithoutReply_ThrowsInternal()
    {
        using var channel = Channel(new StubHandler(_ => Reply([], status: "0")));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
    }

    [Test]
    public void UnaryAsync_BrokenPercentEncoding_KeepsBrokenPartsAndDecodesTheRest()
    {
        using var channel = Channel(new StubHandler(_ => Reply([], status: "3", message: "bad %ZZ, %C3%BC and %4")));

        var error = Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EchoMethods.Say, new SayRequest()));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Detail, Is.EqualTo("bad %ZZ, ü and %4"));
    }

    [Test]
    public async Task ServerStreamingAsync_MessageSplitAcrossReads_IsReassembled()
    {
        var frames = new[] { 1, 2, 3 }.SelectMany(i => Frame(new CountReply { I = i })).ToArray();
        using var channel = Channel(new StubHandler(_ =>
        {
            var response = Reply([], status: "0");
            response.Content = new StreamContent(new TrickleStream(frames));
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
            return response;
        }));

        var received = new List<int>();
        await foreach (var reply in channel.ServerStreamingAsync(EchoMethods.Count, new CountRequest()))
        {
            received.Add(reply.I);
        }

        Assert.That(received, Is.EqualTo(new[] { 1, 2, 3 }));
    }

    private static GrpcChannel Channel(HttpMessageHandler handler) =>
        GrpcChannel.ForAddress(new Uri("http://stub.invalid"), new GrpcChannelOptions { HttpHandler = handler });

    private static HttpResponseMessage Reply(byte[] body, string? status, string? message = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        if (status is not null)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-status", status);
        }

        if (message is not null)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-message", message);
        }

        return response;
    }

    private static byte[] Frame(IMessage message, bool compressed = false)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }
}
