namespace Distributed.Redis;

/// <summary>
/// The command could not be delivered or its reply could not be read: the server is unreachable,
/// the connection dropped while the command was in flight, authentication failed, or the client was disposed.
/// </summary>
public class RedisConnectionException : RedisException
{
    public RedisConnectionException()
    {
    }

    public RedisConnectionException(string message)
        : base(message)
    {
    }

    public RedisConnectionException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
