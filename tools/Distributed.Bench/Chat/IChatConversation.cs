namespace Distributed.Bench.Chat;

/// <summary>One open conversation on a target; whoever keeps the history (client or server) keeps it here.</summary>
public interface IChatConversation
{
    /// <summary>Sends one user message, streams the answer at temperature 0 and adds both to the history.</summary>
    Task<ChatReply> SendAsync(string userMessage, CancellationToken cancellationToken);
}
