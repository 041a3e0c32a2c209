namespace Distributed.Redis;

/// <summary>
/// A command name plus its arguments. Every argument is sent as a length-prefixed bulk string, so its content
/// is never interpreted as protocol. Arguments are validated here, on the caller's thread, so the shared writer
/// loop never meets a value it cannot encode.
/// </summary>
public sealed class RedisCommand
{
    public RedisCommand(string name, params object[] args)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Length; i++)
        {
            if (!IsSupported(args[i]))
            {
                throw new ArgumentException(
                    $"Argument {i} of {name} is {(args[i] is null ? "null" : args[i].GetType().Name)}; " +
                    "supported are string, byte[], ReadOnlyMemory<byte>, long, int, double and bool.",
                    nameof(args));
            }
        }

        Name = name;
        Args = args;
    }

    /// <summary>The command word, e.g. <c>GET</c>. Multi-word commands pass the sub-command as the first argument.</summary>
    public string Name { get; }

    public IReadOnlyList<object> Args { get; }

    /// <summary>Overrides <see cref="RedisOptions.CommandTimeout"/> for this command (e.g. for blocking commands).</summary>
    public TimeSpan? Timeout { get; init; }

    public override string ToString() => Name;

    private static bool IsSupported(object? arg) => arg is string or byte[] or ReadOnlyMemory<byte>
        or long or int or uint or ulong or short or ushort or byte or double or float or bool;
}
