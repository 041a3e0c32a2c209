using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distributed.Bench.Chat;

/// <summary>Reads and writes <see cref="ChatResults"/> (NaN, for a figure with no samples, is written as "NaN").</summary>
public static class ChatJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(ChatResults results, string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, JsonSerializer.Serialize(results, Options));
    }

    public static ChatResults Read(string path) =>
        JsonSerializer.Deserialize<ChatResults>(File.ReadAllText(path), Options)
        ?? throw new JsonException($"{path}: not a chat benchmark result");
}
