using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Distributed.Redis;

/// <summary>
/// One physical TCP connection: a writer loop that coalesces queued commands into one socket write per batch,
/// a reader loop that parses replies incrementally and completes the in-flight FIFO in order. A session is
/// never repaired: on any failure it closes, fails everything it holds, and <see cref="RedisConnection"/>
/// replaces it with a new one.
/// </summary>
internal sealed class RedisSession
{
    private const int MaxWriteBatchBytes = 1024 * 1024;
    private const int ReadBufferSize = 64 * 1024;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly string _endpoint;
    private readonly Action<RedisSession, Exception> _onClosed;
    private readonly CancellationTokenSource _shutdown = new();

    // Several callers enqueue, the writer loop dequeues; Close also drains it, hence SingleReader = false.
    private readonly Channel<PendingReply[]> _outbox = Channel.CreateUnbounded<PendingReply[]>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    // Commands written to the socket, in wire order. Guarded by its own lock together with _closeError.
    private readonly Queue<PendingReply> _inFlight = new();
    private RedisConnectionException? _closeError;
    private long _socketWrites;

    private RedisSession(Socket socket, string endpoint, Action<RedisSession, Exception> onClosed)
    {
        _socket = socket;
        _endpoint = endpoint;
        _onClosed = onClosed;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: ReadBufferSize, leaveOpen: true));
    }

    public bool IsAlive => Volatile.Read(ref _closeError) is null;

    public string Endpoint => _endpoint;

    /// <summary>Socket writes issued so far; lets tests see that concurrent commands are coalesced.</summary>
    public long SocketWrites => Interlocked.Read(ref _socketWrites);

    /// <summary>Connects, starts both loops and runs the AUTH/SELECT handshake, all within ConnectTimeout.</summary>
    public static async Task<RedisSession> OpenAsync(
        RedisOptions options, Action<RedisSession, Exception> onClosed, CancellationToken cancellationToken)
    {
        var endpoint = $"{options.Host}:{options.Port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        RedisSession? session = null;
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, timeout.Token).ConfigureAwait(false);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            session = new RedisSession(socket, endpoint, onClosed);
            session.Start();
            await session.HandshakeAsync(options, timeout.Token).ConfigureAwait(false);
            return session;
        }
        catch (Exception ex)
        {
            var error = ex switch
            {
                OperationCanceledException when cancellationToken.IsCancellationRequested =>
                    new RedisConnectionException($"Connecting to Redis at {endpoint} was cancelled.", ex),
                OperationCanceledException =>
                    new RedisConnectionException(
                        $"Timed out connecting to Redis at {endpoint} after {options.ConnectTimeout.TotalMilliseconds} ms.", ex),
                RedisServerException server =>
                    new RedisConnectionException($"Redis at {endpoint} rejected the handshake: {server.Message}", server),
                RedisConnectionException connection => connection,
                _ => new RedisConnectionException($"Cannot connect to Redis at {endpoint}: {ex.Message}", ex),
            };

            if (session is null)
            {
                socket.Dispose();
            }
            else
            {
                session.Close(error);
            }

            throw error;
        }
    }

    /// <summary>Queues commands to be written back to back. False when the session is already closed.</summary>
    public bool TrySend(PendingReply[] commands) => IsAlive && _outbox.Writer.TryWrite(commands);

    /// <summary>Idempotent: closes the socket and fails every queued and in-flight command with one error.</summary>
    public void Close(Exception reason)
    {
        var orphans = new List<PendingReply>();
        RedisConnectionException error;
        lock (_inFlight)
        {
            if (_closeError is not null)
            {
                return;
            }

            error = reason as RedisConnectionException
                ?? new RedisConnectionException($"Connection to Redis at {_endpoint} was closed: {reason.Message}", reason);
            Volatile.Write(ref _closeError, error);
            orphans.AddRange(_inFlight);
            _inFlight.Clear();
        }

        _outbox.Writer.TryComplete();
        while (_outbox.Reader.TryRead(out var queued))
        {
            orphans.AddRange(queued);
        }

        _shutdown.Cancel();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // Already reset by the peer.
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();

        foreach (var pending in orphans)
        {
            pending.TrySetException(error);
        }

        _onClosed(this, reason);
    }

    private void Start()
    {
        _ = Task.Run(WriteLoopAsync);
        _ = Task.Run(ReadLoopAsync);
    }

    private async Task HandshakeAsync(RedisOptions options, CancellationToken cancellationToken)
    {
        var commands = new List<RedisCommand>(3);
        if (!string.IsNullOrEmpty(options.Password))
        {
            commands.Add(string.IsNullOrEmpty(options.User)
                ? new RedisCommand("AUTH", options.Password)
                : new RedisCommand("AUTH", options.User, options.Password));
        }

        if (options.Database != 0)
        {
            commands.Add(new RedisCommand("SELECT", options.Database));
        }

        // PING proves the server answers and surfaces NOAUTH now rather than on the first real command.
        commands.Add(new RedisCommand("PING"));

        var pending = commands.Select(c => new PendingReply(c)).ToArray();
        if (!TrySend(pending))
        {
            throw _closeError ?? new RedisConnectionException($"Connection to Redis at {_endpoint} closed during handshake.");
        }

        try
        {
            await Task.WhenAll(pending.Select(p => p.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Settle the replies now so closing the session does not leave unobserved faulted tasks behind.
            foreach (var reply in pending)
            {
                reply.TrySetCanceled(cancellationToken);
            }

            throw;
        }

        foreach (var reply in pending)
        {
            reply.Task.Result.ThrowIfError();
        }
    }

    private async Task WriteLoopAsync()
    {
        var buffer = new ArrayBufferWriter<byte>(ReadBufferSize);
        var outbox = _outbox.Reader;
        try
        {
            while (await outbox.WaitToReadAsync(_shutdown.Token).ConfigureAwait(false))
            {
                // Drain whatever is queued into one buffer: many concurrent callers cost one syscall.
                while (buffer.WrittenCount < MaxWriteBatchBytes && outbox.TryRead(out var request))
                {
                    if (AllAbandoned(request))
                    {
                        // Every caller gave up before it was sent: skip it rather than run it unobserved.
                        continue;
                    }

                    if (!TrackInFlight(request))
                    {
                        return;
                    }

                    // A request's commands are encoded back to back, so a MULTI..EXEC batch stays contiguous.
                    foreach (var pending in request)
                    {
                        RespWriter.WriteCommand(buffer, pending.Command);
                    }
                }

                if (buffer.WrittenCount > 0)
                {
                    // Counted before the write: replies (and a test reading the counter) may beat the write's completion.
                    Interlocked.Increment(ref _socketWrites);
                    await _stream.WriteAsync(buffer.WrittenMemory, _shutdown.Token).ConfigureAwait(false);
                    if (buffer.Capacity > 2 * MaxWriteBatchBytes)
                    {
                        // One huge value must not pin a huge buffer for the connection's lifetime.
                        buffer = new ArrayBufferWriter<byte>(ReadBufferSize);
                    }
                    else
                    {
                        buffer.ResetWrittenCount();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Close(new RedisConnectionException($"Writing to Redis at {_endpoint} failed: {ex.Message}", ex));
        }
    }

    private static bool AllAbandoned(PendingReply[] request)
    {
        foreach (var pending in request)
        {
            if (!pending.Task.IsCompleted)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Registers the request's replies before its bytes can reach the server; false when closed.</summary>
    private bool TrackInFlight(PendingReply[] request)
    {
        RedisConnectionException? closed;
        lock (_inFlight)
        {
            closed = _closeError;
            if (closed is null)
            {
                foreach (var pending in request)
                {
                    _inFlight.Enqueue(pending);
                }

                return true;
            }
        }

        foreach (var pending in request)
        {
            pending.TrySetException(closed);
        }

        return false;
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_shutdown.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (RespParser.TryRead(ref buffer, out var value, out var isPush))
                {
                    if (isPush)
                    {
                        continue;
                    }

                    PendingReply? next;
                    lock (_inFlight)
                    {
                        _inFlight.TryDequeue(out next);
                    }

                    if (next is null)
                    {
                        throw new RedisConnectionException("RESP protocol error: received a reply nobody asked for.");
                    }

                    // False when the caller already timed out or cancelled; the reply is simply dropped.
                    next.TrySetResult(value);
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    Close(new RedisConnectionException($"Connection to Redis at {_endpoint} was closed by the server."));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
        catch (Exception) when (!IsAlive)
        {
            // The socket was torn down underneath the read; Close already reported the real reason.
        }
        catch (Exception ex)
        {
            Close(ex as RedisConnectionException
                ?? new RedisConnectionException($"Reading from Redis at {_endpoint} failed: {ex.Message}", ex));
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }
    }
}
