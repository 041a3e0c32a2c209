namespace Distributed.Bench.Chat;

/// <summary>A server the chat benchmark drives: the gateway, llama-server or a worker.</summary>
public interface IChatTarget : IDisposable
{
    /// <summary>Checks (or loads) the model and describes the server in one line.</summary>
    Task<string> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>Opens a new, empty conversation (with the system prompt).</summary>
    Task<IChatConversation> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Removes what the run left on the server (the gateway's session); best effort.</summary>
    Task CleanupAsync(CancellationToken cancellationToken);
}
