using Distributed.Gateway.Errors;
using Distributed.Gateway.Sessions;

namespace Distributed.Gateway.OpenAi;

/// <summary>Generation settings from OpenAI's parameter names, with the same ranges, defaults and caps as <c>/llm</c> queries.</summary>
public static class OpenAiSettings
{
    public static GenerationSettings ReadChat(JsonBody body, GatewayOptions options) => new(
        body.OptionalInt("max_completion_tokens", 1, options.MaxTokensCap) ?? body.OptionalInt("max_tokens", 1, options.MaxTokensCap) ?? options.DefaultMaxTokens,
        body.OptionalDouble("temperature", 0, 2) ?? options.DefaultTemperature,
        body.OptionalDouble("top_p", 0.01, 1),
        body.OptionalLong("seed", 0, uint.MaxValue),
        body.OptionalStrings("stop", GenerationSettings.MaxStopStrings, GenerationSettings.MaxStopLength));

    public static GenerationSettings ReadResponses(JsonBody body, GatewayOptions options) => new(
        body.OptionalInt("max_output_tokens", 1, options.MaxTokensCap) ?? options.DefaultMaxTokens,
        body.OptionalDouble("temperature", 0, 2) ?? options.DefaultTemperature,
        body.OptionalDouble("top_p", 0.01, 1),
        body.OptionalLong("seed", 0, uint.MaxValue),
        []);
}
