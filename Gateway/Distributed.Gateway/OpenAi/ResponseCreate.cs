using Distributed.Gateway.Sessions;

namespace Distributed.Gateway.OpenAi;

/// <summary>
/// A parsed <c>POST /v1/responses</c>, sanitized: <see cref="Query"/> is the last user message, <see cref="Preceding"/>
/// the user and assistant messages sent before it, <see cref="Instructions"/> the instructions and any system messages.
/// </summary>
public sealed record ResponseCreate(
    string Model,
    string Query,
    IReadOnlyList<InputMessage> Preceding,
    string? Instructions,
    string? PreviousResponseId,
    bool Store,
    GenerationSettings Settings);
