using Distributed.Gateway.Errors;

namespace Distributed.Gateway.Sessions;

/// <summary>The conversation gained turns after the caller read it (a query that expected a given history length).</summary>
public sealed class ConversationMovedException(int expected, int actual)
    : ApiException(StatusCodes.Status409Conflict, "Conversation moved on", $"The conversation has {actual} messages, not {expected}.")
{
    public int Expected { get; } = expected;

    public int Actual { get; } = actual;
}
