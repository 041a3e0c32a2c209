using Microsoft.Extensions.Logging;

namespace Distributed.Grpc;

public sealed class GrpcChannelOptions
{
    /// <summary>Largest reply message accepted; bigger ones fail the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent; bigger ones fail the call with RESOURCE_EXHAUSTED before anything is sent.</summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Replaces the channel's own SocketsHttpHandler (tests); the channel does not dispose it.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>How long opening a TCP connection may take before calls fail with UNAVAILABLE.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where the channel logs failed calls; none when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
