namespace Distributed.InferenceWorker.Generation;

/// <summary>The prompt <see cref="ContextFitter"/> chose: its tokens, the messages they render, and the first history message kept (absolute).</summary>
public sealed record FittedPrompt(int[] Tokens, IReadOnlyList<ChatTurn> Messages, int FirstKept);
