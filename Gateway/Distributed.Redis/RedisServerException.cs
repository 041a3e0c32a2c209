namespace Distributed.Redis;

/// <summary>
/// The server answered with an error reply (<c>-ERR ...</c>, <c>-WRONGTYPE ...</c>, ...).
/// The connection is still healthy: only this command failed.
/// </summary>
public class RedisServerException : RedisException
{
    public RedisServerException()
        : this("ERR unknown error")
    {
    }

    public RedisServerException(string message)
        : base(message)
    {
        Prefix = GetPrefix(message);
    }

    public RedisServerException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Prefix = GetPrefix(message);
    }

    /// <summary>The error code: the first word of the reply, e.g. <c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>.</summary>
    public string Prefix { get; }

    /// <summary>By convention the first word of an error reply is an upper-case code; callers branch on it.</summary>
    internal static string GetPrefix(string message)
    {
        var space = message.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? message : message[..space];
    }
}
