using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Distributed.Grpc;

/// <summary>
/// The client side of one call: sends the request, reads framed replies, then the status. Every
/// failure leaves here as an <see cref="RpcException"/>.
/// </summary>
internal sealed class ClientCall<TReq, TRes> : IAsyncDisposable
    where TReq : class, IMessage<TReq>
    where TRes : class, IMessage<TRes>
{
    private readonly GrpcChannel _channel;
    private readonly Method<TReq, TRes> _method;
    private readonly CallOptions _options;
    private readonly DateTime? _deadline;

    // Fires at the deadline; kept apart from the caller's tokens to tell DEADLINE_EXCEEDED from CANCELLED.
    private readonly CancellationTokenSource _deadlineCts = new();

    // Caller's token, the enumerator's token and the deadline: what every wait of the call observes.
    private readonly CancellationTokenSource _callCts;

    private HttpRequestMessage? _request;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private RpcException? _trailersOnlyStatus;
    private string? _responseEncoding;

    public ClientCall(GrpcChannel channel, Method<TReq, TRes> method, CallOptions options, CancellationToken enumeratorToken)
    {
        _channel = channel;
        _method = method;
        _options = options;

        // DateTime.MaxValue is the conventional "no deadline".
        if (options.Deadline is { } deadline && deadline != DateTime.MaxValue)
        {
            _deadline = deadline.ToUniversalTime();
            var remaining = _deadline.Value - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                _deadlineCts.Cancel();
            }
            else if (remaining <= GrpcTimeout.MaxTimer)
            {
                _deadlineCts.CancelAfter(remaining);
            }
        }

        _callCts = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, enumeratorToken, _deadlineCts.Token);
    }

    /// <summary>Sends the request and waits for the response headers.</summary>
    public async Task StartAsync(TReq request)
    {
        // Outside the try: bad metadata is a caller bug, and an oversized message is already an RpcException.
        _request = CreateRequest(request);
        try
        {
            _callCts.Token.ThrowIfCancellationRequested();
            _response = await _channel.Invoker.SendAsync(_request, _callCts.Token);

            // Trailers-Only: an immediate error (or OK without messages) in the one HEADERS frame.
            // A grpc-status always wins over the HTTP status.
            _trailersOnlyStatus = ClientStatus.FromHeaders(_response.Headers);
            if (_trailersOnlyStatus is not null)
            {
                return;
            }

            if (_response.StatusCode != HttpStatusCode.OK)
            {
                throw new RpcException(
                    ClientStatus.FromHttpStatus(_response.StatusCode),
                    $"Bad gRPC response. HTTP status code: {(int)_response.StatusCode}.");
            }

            var contentType = _response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values)
                ? values.ToString()
                : null;
            if (!GrpcProtocol.IsGrpcContentType(contentType))
            {
                throw new RpcException(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: '{contentType}'.");
            }

            _responseEncoding = _response.Headers.NonValidated.TryGetValues(GrpcProtocol.EncodingHeader, out var encoding)
                ? encoding.ToString()
                : null;
            _reader = PipeReader.Create(await _response.Content.ReadAsStreamAsync(_callCts.Token));
        }
        catch (Exception e)
        {
            throw Fail(e);
        }
    }

    /// <summary>The next reply, or null once the call ended with OK; a non-OK status is thrown.</summary>
    public async Task<TRes?> ReadNextAsync()
    {
        RpcException status;
        try
        {
            if (_trailersOnlyStatus is not null)
            {
                status = _trailersOnlyStatus;
            }
            else
            {
                var message = await MessageFraming.ReadAsync(
                    _reader!,
                    _method.ResponseParser,
                    _channel.MaxReceiveMessageSize,
                    _responseEncoding,
                    StatusCode.Internal,
                    _callCts.Token);
                if (message is not null)
                {
                    return message;
                }

                // The body is over, so the trailers have arrived.
                status = ClientStatus.FromHeaders(_response!.TrailingHeaders)
                    ?? new RpcException(StatusCode.Internal, "The response ended without a grpc-status.");
            }
        }
        catch (Exception e)
        {
            throw Fail(e);
        }

        if (status.StatusCode != StatusCode.OK)
        {
            throw Fail(status);
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing a response that is not finished resets the HTTP/2 stream (RST_STREAM CANCEL):
        // that is how the server learns that we stopped listening.
        if (_reader is not null)
        {
            await _reader.CompleteAsync();
        }

        _response?.Dispose();
        _request?.Dispose();
        _callCts.Dispose();
        _deadlineCts.Dispose();
    }

    private HttpRequestMessage CreateRequest(TReq request)
    {
        var frame = MessageFraming.EncodeFrame(request, _channel.MaxSendMessageSize);
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };

        message.Content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);

        // "te: trailers" lets a proxy that would drop trailers be detected.
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        message.Headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        message.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.IdentityEncoding);
        if (_deadline is { } deadline)
        {
            message.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(deadline - DateTime.UtcNow));
        }

        if (_options.Headers is { } headers)
        {
            foreach (var (name, value) in headers)
            {
                if (!message.Headers.TryAddWithoutValidation(name, value))
                {
                    throw new ArgumentException($"'{name}' cannot be sent as call metadata (CallOptions.Headers).");
                }
            }
        }

        return message;
    }

    private RpcException Fail(Exception exception)
    {
        var rpc = ToRpcException(exception);
        ClientLog.CallFailed(_channel.Logger, _method.FullName, rpc.StatusCode, rpc.Detail);
        return rpc;
    }

    private RpcException ToRpcException(Exception exception)
    {
        if (exception is RpcException rpc)
        {
            // PROTOCOL-HTTP2 "Client Cancellation": a CANCELLED that races our deadline is reported as the deadline.
            return rpc.StatusCode == StatusCode.Cancelled && DeadlinePassed()
                ? new RpcException(StatusCode.DeadlineExceeded, "Deadline Exceeded")
                : rpc;
        }

        // Once our own token fired, whatever surfaced (cancellation, I/O error, reset) is its consequence.
        if (_deadlineCts.IsCancellationRequested)
        {
            return new RpcException(StatusCode.DeadlineExceeded, "Deadline Exceeded", exception);
        }

        if (_callCts.IsCancellationRequested)
        {
            return new RpcException(StatusCode.Cancelled, "Call cancelled by the client.", exception);
        }

        return exception switch
        {
            HttpProtocolException reset => FromReset(reset),
            HttpRequestException { InnerException: HttpProtocolException reset } => FromReset(reset),
            HttpRequestException http => new RpcException(StatusCode.Unavailable, $"Error starting gRPC call: {http.Message}", http),
            OperationCanceledException timeout => new RpcException(StatusCode.Unavailable, "Error starting gRPC call: the connection timed out.", timeout),
            IOException io => new RpcException(StatusCode.Unavailable, $"Error reading the response: {io.Message}", io),
            _ => new RpcException(StatusCode.Internal, $"Unexpected error in the gRPC call: {exception.Message}", exception),
        };
    }

    private static RpcException FromReset(HttpProtocolException reset) =>
        new(ClientStatus.FromHttp2ErrorCode(reset.ErrorCode), $"The HTTP/2 stream was reset: {reset.Message}", reset);

    private bool DeadlinePassed() => _deadline is { } deadline && DateTime.UtcNow >= deadline;
}
