using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Distributed.Grpc.Tests.Echo;
using Distributed.Grpc.Tests.Support;
using Google.Protobuf;

namespace Distributed.Grpc.Tests;

/// <summary>Hand-made HTTP/2 requests against the server, to check the bytes and headers the spec asks for.</summary>
[TestFixture]
public sealed class WireProtocolTests
{
    private EchoServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await EchoServer.StartAsync();
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Post_UnarySucceeds_ReplyFrameThenOkStatusInTrailers()
    {
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", Frame(new SayRequest { Text = "hi" }));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/grpc"));
        Assert.That(response.Headers.Contains("grpc-status"), Is.False);
        Assert.That(Single(response.TrailingHeaders, "grpc-status"), Is.EqualTo("0"));
        Assert.That(body[0], Is.Zero);
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)), Is.EqualTo(body.Length - 5));
        Assert.That(SayReply.Parser.ParseFrom(body.AsSpan(5)).Text, Is.EqualTo("hi"));
    }

    [Test]
    public async Task Post_ErrorBeforeAnyMessage_IsTrailersOnlyWithPercentEncodedMessage()
    {
        var request = new FailRequest { Code = (int)StatusCode.AlreadyExists, Message = "ü 100%" };
        using var response = await SendAsync("/distributed.test.v1.Echo/Fail", Frame(request));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/grpc"));
        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("6"));
        Assert.That(Single(response.Headers, "grpc-message"), Is.EqualTo("%C3%BC 100%25"));
        Assert.That(response.TrailingHeaders, Is.Empty);
        Assert.That(body, Is.Empty);
    }

    [Test]
    public async Task Post_GrpcPlusProtoContentType_IsServed()
    {
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", Frame(new SayRequest { Text = "proto" }), "application/grpc+proto");
        await response.Content.ReadAsByteArrayAsync();

        Assert.That(Single(response.TrailingHeaders, "grpc-status"), Is.EqualTo("0"));
    }

    [TestCase("application/json")]
    [TestCase("text/plain")]
    [TestCase("application/grpc+json")]
    public async Task Post_NotGrpcContentType_Returns415(string contentType)
    {
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", Frame(new SayRequest()), contentType);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    [TestCase("/distributed.test.v1.Echo/Say")]
    [TestCase("/some/other/path")]
    public async Task Get_AnyPath_Returns415(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.Address, path)) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await _http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    [TestCase("/distributed.test.v1.Echo/Missing")]
    [TestCase("/distributed.test.v1.echo/say")]
    [TestCase("/no-such-path")]
    public async Task Post_UnknownMethod_TrailersOnlyUnimplemented(string path)
    {
        using var response = await SendAsync(path, Frame(new SayRequest()));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("12"));
    }

    [Test]
    public async Task Post_CompressedFrameWithUnsupportedEncoding_ReturnsUnimplementedAndAcceptEncoding()
    {
        var headers = new Dictionary<string, string> { ["grpc-encoding"] = "gzip" };
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", Frame(new SayRequest(), compressed: true), headers: headers);

        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("12"));
        Assert.That(Uri.UnescapeDataString(Single(response.Headers, "grpc-message")), Does.Contain("gzip"));
        Assert.That(Single(response.Headers, "grpc-accept-encoding"), Is.EqualTo("identity"));
    }

    [Test]
    public async Task Post_CompressedFlagWithoutEncoding_ReturnsInternal()
    {
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", Frame(new SayRequest(), compressed: true));

        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("13"));
    }

    [Test]
    public async Task Post_UncompressedFrameWithGzipDeclared_IsServed()
    {
        // grpc-encoding names what a compressed frame would use; flag 0 frames are plain either way.
        var headers = new Dictionary<string, string> { ["grpc-encoding"] = "gzip" };
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", Frame(new SayRequest { Text = "plain" }), headers: headers);
        await response.Content.ReadAsByteArrayAsync();

        Assert.That(Single(response.TrailingHeaders, "grpc-status"), Is.EqualTo("0"));
    }

    [Test]
    public async Task Post_TruncatedFrame_ReturnsInternal()
    {
        var frame = Frame(new SayRequest { Text = "truncated" });

        using var response = await SendAsync("/distributed.test.v1.Echo/Say", frame[..^2]);

        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("13"));
    }

    [Test]
    public async Task Post_NoRequestMessage_ReturnsInternal()
    {
        using var response = await SendAsync("/distributed.test.v1.Echo/Say", []);

        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("13"));
    }

    [TestCase("1n")]
    [TestCase("1u")]
    [TestCase("1m")]
    public async Task Post_TinyGrpcTimeout_ReturnsDeadlineExceeded(string timeout)
    {
        var headers = new Dictionary<string, string> { ["grpc-timeout"] = timeout };
        using var response = await SendAsync("/distributed.test.v1.Echo/WaitForCancel", Frame(new WaitRequest { Id = Guid.NewGuid().ToString() }), headers: headers);

        Assert.That(Single(response.Headers, "grpc-status"), Is.EqualTo("4"));
    }

    private static string Single(HttpHeaders headers, string name) => headers.GetValues(name).Single();

    private static byte[] Frame(IMessage message, bool compressed = false)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    private async Task<HttpResponseMessage> SendAsync(
        string path,
        byte[] body,
        string contentType = "application/grpc",
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await _http.SendAsync(request).WaitAsync(ServerEvents.Timeout);
    }
}
