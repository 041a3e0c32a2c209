namespace Distributed.Grpc;

/// <summary>Limits applied by the server to every gRPC call.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted; bigger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest reply message sent; bigger ones end the call with RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;
}
