namespace Distributed.Grpc;

/// <summary>Sends the replies of a server-streaming call, one message at a time.</summary>
public interface IServerStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
