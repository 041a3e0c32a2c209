namespace Distributed.Bench.Chat;

/// <summary>The chat workload and the server it runs against.</summary>
public sealed record ChatOptions(
    ChatTargetKind Target,
    Uri Address,
    string Model,
    int Conversations,
    int Turns,
    int Concurrency,
    ChatMode Mode,
    int Words,
    int GenTokens,
    string SystemPrompt,
    int WarmupTurns,
    uint Seed,
    TimeSpan Timeout,
    string Label = "",
    DeltaRecorder? Recorder = null);
