using System.Net;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.Grpc;

/// <summary>
/// A client for one server address. Calls are HTTP/2 streams multiplexed over a pooled connection;
/// more connections open once a connection's stream limit is reached.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        MaxReceiveMessageSize = options.MaxReceiveMessageSize;
        MaxSendMessageSize = options.MaxSendMessageSize;
        Logger = options.LoggerFactory?.CreateLogger("Distributed.Grpc.Client") ?? NullLogger.Instance;
        Invoker = new HttpMessageInvoker(options.HttpHandler ?? CreateHandler(options), disposeHandler: options.HttpHandler is null);
    }

    public Uri Address { get; }

    internal HttpMessageInvoker Invoker { get; }

    internal int MaxReceiveMessageSize { get; }

    internal int MaxSendMessageSize { get; }

    internal ILogger Logger { get; }

    /// <summary>Creates a channel for an <c>http://</c> (HTTP/2 prior knowledge) or <c>https://</c> address.</summary>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"'{address}' is not an absolute http:// or https:// address.", nameof(address));
        }

        return new GrpcChannel(address, options ?? new GrpcChannelOptions());
    }

    public async Task<TRes> UnaryAsync<TReq, TRes>(Method<TReq, TRes> method, TReq request, CallOptions options = default)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        Validate(method, request, MethodType.Unary);
        await using var call = new ClientCall<TReq, TRes>(this, method, options, CancellationToken.None);
        await call.StartAsync(request);
        var reply = await call.ReadNextAsync()
            ?? throw new RpcException(StatusCode.Internal, "The unary call ended with OK but without a reply message.");
        if (await call.ReadNextAsync() is not null)
        {
            throw new RpcException(StatusCode.Internal, "The unary call returned more than one reply message.");
        }

        return reply;
    }

    /// <summary>
    /// Streams replies as they arrive; ends normally on grpc-status 0 and throws <see cref="RpcException"/> otherwise.
    /// Stopping the enumeration early (dispose) or cancelling the token cancels the call: the HTTP/2 stream is
    /// reset so the server sees cancellation. Cancellation surfaces as <see cref="RpcException"/> with
    /// <see cref="StatusCode.Cancelled"/>, never as <see cref="OperationCanceledException"/>.
    /// </summary>
    public IAsyncEnumerable<TRes> ServerStreamingAsync<TReq, TRes>(Method<TReq, TRes> method, TReq request, CallOptions options = default)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        Validate(method, request, MethodType.ServerStreaming);
        return StreamAsync(method, request, options);
    }

    public void Dispose() => Invoker.Dispose();

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options) => new()
    {
        // Past a connection's SETTINGS_MAX_CONCURRENT_STREAMS, open another instead of queueing calls.
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = options.ConnectTimeout,

        // An HTTP proxy cannot carry cleartext HTTP/2 with prior knowledge.
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    private static void Validate<TReq, TRes>(Method<TReq, TRes> method, TReq request, MethodType expected)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is {method.Type}, not {expected}.", nameof(method));
        }
    }

    private async IAsyncEnumerable<TRes> StreamAsync<TReq, TRes>(
        Method<TReq, TRes> method,
        TReq request,
        CallOptions options,
        [EnumeratorCancellation] CancellationToken enumeratorToken = default)
        where TReq : class, IMessage<TReq>
        where TRes : class, IMessage<TRes>
    {
        await using var call = new ClientCall<TReq, TRes>(this, method, options, enumeratorToken);
        await call.StartAsync(request);
        while (await call.ReadNextAsync() is { } reply)
        {
            yield return reply;
        }
    }
}
