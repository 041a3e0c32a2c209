namespace Distributed.Redis;

/// <summary>The RESP2 reply kinds. RESP3-only kinds are folded into these when they show up.</summary>
public enum RespType
{
    SimpleString,
    Error,
    Integer,
    BulkString,
    Array,
    Null,
}
