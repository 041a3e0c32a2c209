namespace Distributed.Redis;

/// <summary>
/// No reply arrived within the command timeout. The connection that carried the command is torn down
/// (its stream position is no longer trustworthy) and a fresh one is established.
/// </summary>
public class RedisTimeoutException : RedisException
{
    public RedisTimeoutException()
    {
    }

    public RedisTimeoutException(string message)
        : base(message)
    {
    }

    public RedisTimeoutException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
