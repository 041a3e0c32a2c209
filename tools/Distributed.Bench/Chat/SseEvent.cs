namespace Distributed.Bench.Chat;

/// <summary>One server-sent event: its <c>event:</c> name ("message" when absent) and its <c>data:</c> lines joined.</summary>
public sealed record SseEvent(string Name, string Data);
