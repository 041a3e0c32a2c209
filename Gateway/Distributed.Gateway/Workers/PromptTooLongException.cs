using Distributed.Gateway.Errors;

namespace Distributed.Gateway.Workers;

/// <summary>The worker counted more prompt tokens than its context holds; carries the numbers so the caller can trim and retry.</summary>
public sealed class PromptTooLongException(int promptTokens, int contextTokens, string detail)
    : ApiException(StatusCodes.Status400BadRequest, "Query too long", detail)
{
    public int PromptTokens { get; } = promptTokens;

    public int ContextTokens { get; } = contextTokens;
}
