using System.Globalization;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Distributed.Grpc;

/// <summary>
/// The server side of one call: reads the request, writes replies, and ends the response exactly
/// once with a status (in trailers, or trailers-only when no message went out).
/// </summary>
internal sealed class ServerCall : IAsyncDisposable
{
    private readonly HttpContext _httpContext;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeSpan? _timeout;

    // Cancelled when the client goes away (linked to RequestAborted) or the deadline passes.
    private readonly CancellationTokenSource _callCts;

    // Stops the deadline watcher once the call is over.
    private readonly CancellationTokenSource _lifetimeCts = new();

    // Serialises everything that touches the response: the handler's writes and the status,
    // which the deadline watcher may send from another thread while the handler still runs.
    private readonly SemaphoreSlim _responseLock = new(1, 1);

    private Task _deadlineWatcher = Task.CompletedTask;
    private bool _finished;
    private volatile bool _deadlineExceeded;

    public ServerCall(HttpContext httpContext, string method, GrpcServerOptions options, ILogger logger)
    {
        _httpContext = httpContext;
        _options = options;
        _logger = logger;
        _callCts = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted);

        DateTime? deadline = null;
        string? timeoutHeader = httpContext.Request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeoutHeader is not null)
        {
            if (GrpcTimeout.TryParse(timeoutHeader, out var timeout))
            {
                _timeout = timeout;
                var now = DateTime.UtcNow;
                deadline = timeout < DateTime.MaxValue - now ? now + timeout : DateTime.MaxValue;
            }
            else
            {
                ServerLog.InvalidTimeout(logger, method, timeoutHeader);
            }
        }

        // Set now so that a trailers-only response carries them too. We only decode identity;
        // advertising it lets a client that compressed learn why it got UNIMPLEMENTED.
        httpContext.Response.ContentType = GrpcProtocol.ContentType;
        httpContext.Response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityEncoding;
        Context = new ServerCallContext(httpContext, method, deadline, _callCts.Token);
    }

    public ServerCallContext Context { get; }

    /// <summary>Starts enforcing the deadline; separate from the constructor so a zero timeout never races it.</summary>
    public void StartDeadlineTimer()
    {
        if (_timeout is { } timeout && timeout <= GrpcTimeout.MaxTimer)
        {
            _deadlineWatcher = WatchDeadlineAsync(timeout);
        }
    }

    /// <summary>Reads the single request message of a unary or server-streaming call.</summary>
    public async Task<TReq> ReadRequestAsync<TReq>(MessageParser<TReq> parser)
        where TReq : class, IMessage<TReq>
    {
        var reader = _httpContext.Request.BodyReader;
        string? encoding = _httpContext.Request.Headers[GrpcProtocol.EncodingHeader];
        var request = await MessageFraming.ReadAsync(
            reader, parser, _options.MaxReceiveMessageSize, encoding, StatusCode.Unimplemented, _callCts.Token)
            ?? throw new RpcException(StatusCode.Internal, "The request did not include a message.");

        if (await MessageFraming.ReadAsync(
            reader, parser, _options.MaxReceiveMessageSize, encoding, StatusCode.Unimplemented, _callCts.Token) is not null)
        {
            throw new RpcException(StatusCode.Internal, "The request included more than one message.");
        }

        return request;
    }

    public async Task WriteMessageAsync(IMessage message, CancellationToken cancellationToken)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(_callCts.Token, cancellationToken)
            : null;
        var token = linked?.Token ?? _callCts.Token;

        await _responseLock.WaitAsync(token);
        try
        {
            // After the status went out (deadline) nothing more may be written.
            if (_finished)
            {
                throw new OperationCanceledException("The call has already ended.", _callCts.Token);
            }

            token.ThrowIfCancellationRequested();
            var writer = _httpContext.Response.BodyWriter;
            MessageFraming.WriteFrame(writer, message, _options.MaxSendMessageSize);
            var flush = await writer.FlushAsync(token);
            if (flush.IsCanceled || flush.IsCompleted)
            {
                // Kestrel completes the pipe when the stream was reset under us.
                throw new OperationCanceledException("The response stream is closed.", _callCts.Token);
            }
        }
        finally
        {
            _responseLock.Release();
        }
    }

    /// <summary>Maps a handler's failure to the status the client gets (see the API notes).</summary>
    public Task FailAsync(Exception exception)
    {
        if (_deadlineExceeded)
        {
            return FinishAsync(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (_httpContext.RequestAborted.IsCancellationRequested)
        {
            return FinishAsync(StatusCode.Cancelled, "Cancelled");
        }

        if (exception is RpcException rpc)
        {
            return FinishAsync(rpc.StatusCode, rpc.Detail);
        }

        ServerLog.HandlerFailed(_logger, Context.Method, exception);
        return FinishAsync(StatusCode.Internal, "Exception was thrown by handler.");
    }

    /// <summary>Sends the status and ends the response; only the first call has an effect.</summary>
    public async Task FinishAsync(StatusCode status, string? detail)
    {
        await _responseLock.WaitAsync();
        try
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            if (_httpContext.RequestAborted.IsCancellationRequested)
            {
                // The stream is gone (RST_STREAM or lost connection): nobody to send a status to.
                ServerLog.ClientCancelled(_logger, Context.Method);
                return;
            }

            if (status != StatusCode.OK)
            {
                ServerLog.CallFailed(_logger, Context.Method, status, detail ?? string.Empty);
            }

            var response = _httpContext.Response;

            // No message sent yet: Trailers-Only, the status rides in the one HEADERS frame.
            var target = response.HasStarted ? null : response.Headers;
            SetStatusField(response, target, GrpcProtocol.StatusHeader, ((int)status).ToString(CultureInfo.InvariantCulture));
            if (!string.IsNullOrEmpty(detail))
            {
                SetStatusField(response, target, GrpcProtocol.MessageHeader, StatusMessageEncoding.Encode(detail));
            }

            await response.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The connection went away while the status was being written.
            ServerLog.StatusNotSent(_logger, Context.Method, e);
        }
        finally
        {
            _responseLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetimeCts.CancelAsync();
        await _deadlineWatcher;
        _lifetimeCts.Dispose();
        _callCts.Dispose();
        _responseLock.Dispose();
    }

    private static void SetStatusField(HttpResponse response, IHeaderDictionary? headers, string name, string value)
    {
        if (headers is not null)
        {
            headers[name] = value;
        }
        else
        {
            response.AppendTrailer(name, value);
        }
    }

    private async Task WatchDeadlineAsync(TimeSpan timeout)
    {
        try
        {
            await Task.Delay(timeout, _lifetimeCts.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        try
        {
            _deadlineExceeded = true;
            ServerLog.DeadlineExceeded(_logger, Context.Method, timeout);

            // Cancel first so a handler blocked in WriteMessageAsync lets go of the response lock.
            await _callCts.CancelAsync();

            // Send the status now rather than when the handler returns: it may ignore its token.
            await FinishAsync(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }
        catch (Exception e)
        {
            ServerLog.StatusNotSent(_logger, Context.Method, e);
        }
    }
}
