using System.Text.Json;

namespace Distributed.Gateway.OpenAi;

/// <summary>OpenAI's wire names are snake_case as written in the anonymous shapes: no naming policy.</summary>
public static class OpenAiJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General);

    public static IResult Ok(object body) => Results.Json(body, Options);

    public static long UnixNow(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeSeconds();
}
