using Google.Protobuf;

namespace Distributed.Grpc;

/// <summary>Describes one RPC: its path on the wire and how to parse its messages.</summary>
public sealed class Method<TRequest, TResponse>(
    MethodType type,
    string serviceName,
    string name,
    MessageParser<TRequest> requestParser,
    MessageParser<TResponse> responseParser)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public MethodType Type { get; } = type;

    /// <summary>Fully qualified service name, e.g. <c>distributed.inference.v1.Inference</c>.</summary>
    public string ServiceName { get; } = serviceName;

    public string Name { get; } = name;

    /// <summary>The HTTP/2 :path, e.g. <c>/distributed.inference.v1.Inference/Generate</c>.</summary>
    public string FullName { get; } = $"/{serviceName}/{name}";

    public MessageParser<TRequest> RequestParser { get; } = requestParser;

    public MessageParser<TResponse> ResponseParser { get; } = responseParser;
}
