namespace Distributed.InferenceWorker.Models;

/// <summary>The optional <c>models.json</c> beside the models: <c>{"models": {"stories260K": {"aliases": ["llama2"]}}}</c>.</summary>
public sealed class ModelsFile
{
    public const string FileName = "models.json";

    public Dictionary<string, ModelSettings> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
