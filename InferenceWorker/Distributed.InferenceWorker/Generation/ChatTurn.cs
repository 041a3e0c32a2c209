namespace Distributed.InferenceWorker.Generation;

/// <summary>One chat message: role (system, user, assistant) and content.</summary>
public sealed record ChatTurn(string Role, string Content);
