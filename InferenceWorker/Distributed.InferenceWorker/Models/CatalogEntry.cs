namespace Distributed.InferenceWorker.Models;

/// <summary>One <c>.gguf</c> file of the models directory.</summary>
public sealed record CatalogEntry(string Name, string Path, long SizeBytes, ModelSettings Settings)
{
    public string FileName => System.IO.Path.GetFileName(Path);
}
