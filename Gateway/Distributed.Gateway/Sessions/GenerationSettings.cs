using Distributed.Contracts.Inference.V1;
using Distributed.Gateway.Errors;

namespace Distributed.Gateway.Sessions;

/// <summary>Optional generation settings of a query (defaults and caps in <see cref="GatewayOptions"/>).</summary>
public sealed record GenerationSettings(int MaxTokens, double Temperature, double? TopP, long? Seed, IReadOnlyList<string> Stop)
{
    public const int MaxStopStrings = 4;
    public const int MaxStopLength = 64;

    public static GenerationSettings Read(JsonBody body, GatewayOptions options) => new(
        body.OptionalInt("max_tokens", 1, options.MaxTokensCap) ?? options.DefaultMaxTokens,
        body.OptionalDouble("temperature", 0, 2) ?? options.DefaultTemperature,
        body.OptionalDouble("top_p", 0.01, 1),
        body.OptionalLong("seed", 0, uint.MaxValue),
        body.OptionalStrings("stop", MaxStopStrings, MaxStopLength));

    public SamplingParams ToSampling()
    {
        var sampling = new SamplingParams { MaxTokens = MaxTokens, Temperature = (float)Temperature };
        if (TopP is { } topP)
        {
            sampling.TopP = (float)topP;
        }

        if (Seed is { } seed)
        {
            sampling.Seed = (uint)seed;
        }

        sampling.Stop.AddRange(Stop);
        return sampling;
    }
}
