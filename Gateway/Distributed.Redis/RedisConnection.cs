using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.Redis;

/// <summary>
/// A multiplexed, pipelined Redis client over one connection. Thread-safe: any number of callers may issue
/// commands concurrently; replies are matched to callers by order. When the connection drops, in-flight commands
/// fail with <see cref="RedisConnectionException"/> and a background loop reconnects with capped exponential
/// backoff (re-sending AUTH and SELECT); commands issued meanwhile try to connect or fail fast, never hang.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly RedisOptions _options;
    private readonly ILogger _logger;
    private readonly string _endpoint;
    private readonly CancellationTokenSource _disposeCts = new();

    // Connection state, guarded by _gate.
    private readonly Lock _gate = new();
    private RedisSession? _session;
    private Task<RedisSession>? _connecting;
    private RedisConnectionException? _lastConnectError;
    private long _retryNotBefore;
    private TimeSpan _backoff;
    private bool _reconnecting;
    private bool _disposed;

    public RedisConnection(RedisOptions options, ILogger<RedisConnection>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        RedisOptionsValidator.ThrowIfInvalid(options);

        // Snapshot: later edits to the caller's instance must not change a live connection halfway.
        _options = new RedisOptions
        {
            Host = options.Host,
            Port = options.Port,
            Password = options.Password,
            User = options.User,
            Database = options.Database,
            CommandTimeout = options.CommandTimeout,
            ConnectTimeout = options.ConnectTimeout,
            ReconnectInitialDelay = options.ReconnectInitialDelay,
            ReconnectMaxDelay = options.ReconnectMaxDelay,
        };
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _endpoint = $"{_options.Host}:{_options.Port}";
        _backoff = _options.ReconnectInitialDelay;
    }

    /// <summary>True while a live connection exists (it may still drop at any moment).</summary>
    public bool IsConnected => Volatile.Read(ref _session) is { IsAlive: true };

    /// <summary>Socket writes made by the current connection (diagnostics and tests).</summary>
    internal long SocketWrites => Volatile.Read(ref _session)?.SocketWrites ?? 0;

    /// <summary>
    /// Connects eagerly (otherwise the first command connects). Throws <see cref="RedisConnectionException"/>
    /// when the server is unreachable or rejects AUTH/SELECT.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default) =>
        await GetSessionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs one command; an error reply throws <see cref="RedisServerException"/>.</summary>
    public Task<RespValue> ExecuteAsync(string command, params object[] args) =>
        ExecuteAsync(new RedisCommand(command, args), CancellationToken.None);

    /// <summary>Runs one command; an error reply throws <see cref="RedisServerException"/>.</summary>
    public async Task<RespValue> ExecuteAsync(RedisCommand command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        var replies = await SendAsync(
            [new PendingReply(command)], command.Timeout ?? _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        return replies[0].ThrowIfError();
    }

    /// <summary>
    /// Writes the commands contiguously (no other caller's command can land between them), so
    /// <c>MULTI ... EXEC</c> in one batch is a transaction. Returns one reply per command; error replies are
    /// returned as <see cref="RespType.Error"/> values (see <see cref="RespValue.ThrowIfError"/>) so a partial
    /// failure can be inspected. The timeout applies to the batch as a whole.
    /// </summary>
    public async Task<IReadOnlyList<RespValue>> ExecuteBatchAsync(
        IReadOnlyList<RedisCommand> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count == 0)
        {
            return [];
        }

        var pending = new PendingReply[commands.Count];
        var timeout = _options.CommandTimeout;
        for (var i = 0; i < pending.Length; i++)
        {
            var command = commands[i] ?? throw new ArgumentException("A batch must not contain null commands.", nameof(commands));
            pending[i] = new PendingReply(command);
            if (command.Timeout is { } own && (own == Timeout.InfiniteTimeSpan || (timeout != Timeout.InfiniteTimeSpan && own > timeout)))
            {
                timeout = own;
            }
        }

        return await SendAsync(pending, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection; queued and in-flight commands fail with <see cref="RedisConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        var connecting = DisposeCore();
        if (connecting is not null)
        {
            try
            {
                await connecting.ConfigureAwait(false);
            }
            catch (RedisConnectionException)
            {
                // Expected: the attempt was cancelled by disposal.
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>
    /// Synchronous variant for containers or callers that cannot await; a connect attempt in progress is
    /// cancelled but not waited for.
    /// </summary>
    public void Dispose() => DisposeCore();

    private Task? DisposeCore()
    {
        RedisSession? session;
        Task? connecting;
        lock (_gate)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = true;
            session = _session;
            _session = null;
            connecting = _connecting;
        }

        _disposeCts.Cancel();
        session?.Close(new RedisConnectionException($"The connection to Redis at {_endpoint} was disposed."));
        RedisLog.Disposed(_logger, _endpoint);
        return connecting;
    }

    private async Task<RespValue[]> SendAsync(PendingReply[] pending, TimeSpan timeout, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
        if (!session.TrySend(pending))
        {
            // It closed between lookup and enqueue. Nothing was written, so one retry on a fresh session is safe.
            session = await GetSessionAsync(cancellationToken).ConfigureAwait(false);
            if (!session.TrySend(pending))
            {
                throw new RedisConnectionException($"The connection to Redis at {_endpoint} closed before the command was sent.");
            }
        }

        Task all = pending.Length == 1 ? pending[0].Task : Task.WhenAll(pending.Select(p => p.Task));
        try
        {
            await all.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            if (!Abandon(pending))
            {
                // Every reply arrived while the timeout fired; nothing was lost.
                return Results(pending);
            }

            var name = pending.Length == 1 ? pending[0].Command.Name : $"batch of {pending.Length} ({pending[0].Command.Name}...)";
            var error = new RedisTimeoutException(
                $"Redis command {name} timed out after {timeout.TotalMilliseconds} ms waiting for a reply from {_endpoint}.");
            RedisLog.CommandTimedOut(_logger, name, timeout.TotalMilliseconds, _endpoint);

            // The late reply would still arrive on this stream; rather than trust the position, start over.
            session.Close(new RedisConnectionException(
                $"Connection to Redis at {_endpoint} was reset after {name} timed out.", error));
            throw error;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reply (if the command was sent) still arrives in order and is dropped; the stream stays in sync.
            Abandon(pending);
            throw;
        }

        return Results(pending);
    }

    /// <summary>Marks the replies as given up so a later completion is ignored. True if any was still outstanding.</summary>
    private static bool Abandon(PendingReply[] pending)
    {
        var outstanding = false;
        foreach (var p in pending)
        {
            outstanding |= p.TrySetCanceled();
        }

        return outstanding || pending.Any(p => !p.Task.IsCompletedSuccessfully);
    }

    private static RespValue[] Results(PendingReply[] pending)
    {
        var results = new RespValue[pending.Length];
        for (var i = 0; i < pending.Length; i++)
        {
            results[i] = pending[i].Task.Result;
        }

        return results;
    }

    private async ValueTask<RedisSession> GetSessionAsync(CancellationToken cancellationToken)
    {
        var session = Volatile.Read(ref _session);
        if (session is { IsAlive: true })
        {
            return session;
        }

        return await ConnectSharedAsync(fromReconnectLoop: false).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Joins the connect attempt in progress or starts one. Callers (not the reconnect loop) fail fast while
    /// inside the backoff window after a failed attempt, so an unreachable server costs them nothing.
    /// </summary>
    private Task<RedisSession> ConnectSharedAsync(bool fromReconnectLoop)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_session is { IsAlive: true } live)
            {
                return Task.FromResult(live);
            }

            if (_connecting is { IsCompleted: false } inProgress)
            {
                return inProgress;
            }

            var wait = _retryNotBefore - Environment.TickCount64;
            if (!fromReconnectLoop && _lastConnectError is { } last && wait > 0)
            {
                return Task.FromException<RedisSession>(new RedisConnectionException(
                    $"Redis at {_endpoint} is unavailable (next reconnect attempt in {wait} ms): {last.Message}", last));
            }

            _connecting = Task.Run(ConnectCoreAsync);
            return _connecting;
        }
    }

    private async Task<RedisSession> ConnectCoreAsync()
    {
        RedisLog.Connecting(_logger, _endpoint);
        try
        {
            var session = await RedisSession.OpenAsync(_options, OnSessionClosed, _disposeCts.Token).ConfigureAwait(false);
            lock (_gate)
            {
                if (_disposed)
                {
                    session.Close(new RedisConnectionException($"The connection to Redis at {_endpoint} was disposed."));
                    throw new ObjectDisposedException(nameof(RedisConnection));
                }

                _session = session;
                _lastConnectError = null;
                _backoff = _options.ReconnectInitialDelay;
            }

            RedisLog.Connected(_logger, _endpoint, _options.Database);
            if (!session.IsAlive)
            {
                // Closed before it was published, so OnSessionClosed ignored it; schedule the reconnect here.
                OnSessionClosed(session, new RedisConnectionException("Connection closed right after connecting."));
            }

            return session;
        }
        catch (RedisConnectionException error)
        {
            long delayMs;
            lock (_gate)
            {
                _lastConnectError = error;
                delayMs = (long)_backoff.TotalMilliseconds;
                _retryNotBefore = Environment.TickCount64 + delayMs;
                _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, _options.ReconnectMaxDelay.Ticks));
                if (!_disposed)
                {
                    EnsureReconnectLoop();
                }
            }

            if (!_disposeCts.IsCancellationRequested)
            {
                RedisLog.ConnectFailed(_logger, _endpoint, delayMs, error.Message);
            }

            throw;
        }
    }

    private void OnSessionClosed(RedisSession session, Exception reason)
    {
        lock (_gate)
        {
            // Sessions that never got published (failed handshake) or were already replaced are not our concern.
            if (!ReferenceEquals(_session, session))
            {
                return;
            }

            _session = null;
            if (_disposed)
            {
                return;
            }

            // The first attempt after a drop is immediate; backoff only grows while attempts fail.
            _retryNotBefore = 0;
            EnsureReconnectLoop();
        }

        RedisLog.ConnectionLost(_logger, _endpoint, reason.Message);
    }

    /// <summary>Caller holds _gate.</summary>
    private void EnsureReconnectLoop()
    {
        if (!_reconnecting)
        {
            _reconnecting = true;
            _ = Task.Run(ReconnectLoopAsync);
        }
    }

    private async Task ReconnectLoopAsync()
    {
        while (true)
        {
            long delayMs;
            lock (_gate)
            {
                if (_disposed || _session is { IsAlive: true })
                {
                    _reconnecting = false;
                    return;
                }

                delayMs = Math.Max(0, _retryNotBefore - Environment.TickCount64);
            }

            try
            {
                if (delayMs > 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(delayMs), _disposeCts.Token).ConfigureAwait(false);
                }

                await ConnectSharedAsync(fromReconnectLoop: true).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_disposeCts.IsCancellationRequested)
            {
            }
            catch (ObjectDisposedException)
            {
            }
            catch (RedisConnectionException)
            {
                // ConnectCoreAsync already recorded the failure and pushed the next attempt out.
            }
        }
    }
}
