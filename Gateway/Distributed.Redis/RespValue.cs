using System.Globalization;
using System.Text;

namespace Distributed.Redis;

/// <summary>
/// One decoded reply. Immutable; bulk strings keep their raw bytes so binary values survive untouched.
/// </summary>
public sealed class RespValue
{
    private static readonly RespValue[] EmptyItems = [];

    private readonly string? _text;
    private readonly byte[]? _bytes;
    private readonly long _integer;
    private readonly RespValue[]? _items;

    private RespValue(RespType type, string? text, byte[]? bytes, long integer, RespValue[]? items)
    {
        Type = type;
        _text = text;
        _bytes = bytes;
        _integer = integer;
        _items = items;
    }

    /// <summary>The shared null reply (<c>$-1</c>, <c>*-1</c> or RESP3 <c>_</c>).</summary>
    public static RespValue Null { get; } = new(RespType.Null, null, null, 0, null);

    /// <summary>The shared empty array reply.</summary>
    public static RespValue EmptyArray { get; } = new(RespType.Array, null, null, 0, EmptyItems);

    public RespType Type { get; }

    public bool IsNull => Type == RespType.Null;

    public bool IsError => Type == RespType.Error;

    /// <summary>Array elements; empty for every non-array reply.</summary>
    public IReadOnlyList<RespValue> Items => _items ?? EmptyItems;

    public static RespValue SimpleString(string value) => new(RespType.SimpleString, value, null, 0, null);

    public static RespValue Error(string message) => new(RespType.Error, message, null, 0, null);

    public static RespValue Integer(long value) => new(RespType.Integer, null, null, value, null);

    public static RespValue BulkString(byte[] value) => new(RespType.BulkString, null, value, 0, null);

    public static RespValue Array(RespValue[] items) =>
        items.Length == 0 ? EmptyArray : new(RespType.Array, null, null, 0, items);

    /// <summary>Text of a string, error or integer reply (bulk strings decoded as UTF-8); null for a null reply.</summary>
    public string? AsString() => Type switch
    {
        RespType.SimpleString or RespType.Error => _text,
        RespType.BulkString => Encoding.UTF8.GetString(_bytes!),
        RespType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RespType.Null => null,
        _ => throw new InvalidCastException($"Cannot convert a {Type} reply to a string."),
    };

    /// <summary>Raw bytes of a string reply; null for a null reply.</summary>
    public byte[]? AsBytes() => Type switch
    {
        RespType.BulkString => _bytes,
        RespType.SimpleString or RespType.Error => Encoding.UTF8.GetBytes(_text!),
        RespType.Integer => Encoding.ASCII.GetBytes(_integer.ToString(CultureInfo.InvariantCulture)),
        RespType.Null => null,
        _ => throw new InvalidCastException($"Cannot convert a {Type} reply to bytes."),
    };

    /// <summary>Integer reply, or a string reply holding a decimal integer (e.g. the cursor of SCAN).</summary>
    public long AsInt64()
    {
        if (Type == RespType.Integer)
        {
            return _integer;
        }

        if (Type is RespType.BulkString or RespType.SimpleString
            && long.TryParse(AsString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw new InvalidCastException($"Cannot convert a {Type} reply to an integer.");
    }

    /// <summary>Throws <see cref="RedisServerException"/> for an error reply, returns the value otherwise.</summary>
    public RespValue ThrowIfError() => IsError ? throw new RedisServerException(_text!) : this;

    public override string ToString() => Type switch
    {
        RespType.Null => "(nil)",
        RespType.Array => $"Array[{Items.Count}]",
        RespType.Error => $"Error: {_text}",
        _ => AsString() ?? string.Empty,
    };
}
