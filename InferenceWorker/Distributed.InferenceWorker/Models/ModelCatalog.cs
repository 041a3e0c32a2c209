using System.Text.Json;
using Distributed.Contracts.Inference.V1;
using Distributed.InferenceWorker.Services;
using Microsoft.Extensions.Options;

namespace Distributed.InferenceWorker.Models;

/// <summary>
/// The models directory: every <c>*.gguf</c> is a model named by its file stem; <c>models.json</c> adds aliases and
/// settings. Read on each call, so files dropped in later appear without a restart.
/// </summary>
public sealed partial class ModelCatalog(IOptions<WorkerOptions> options, ILogger<ModelCatalog> logger)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public string Directory => Path.GetFullPath(options.Value.ModelsDirectory);

    public IReadOnlyList<CatalogEntry> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }

        var settings = ReadSettings();
        return System.IO.Directory.EnumerateFiles(Directory, "*.gguf")
            .Select(path => new FileInfo(path))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .Select(f =>
            {
                var name = Path.GetFileNameWithoutExtension(f.Name);
                // A symbolic link (e.g. to a shared models folder) reports the size of its target.
                var size = f.LinkTarget is null ? f.Length : (f.ResolveLinkTarget(returnFinalTarget: true) as FileInfo)?.Length ?? 0;
                return new CatalogEntry(name, f.FullName, size, settings.GetValueOrDefault(name) ?? new ModelSettings());
            })
            .ToArray();
    }

    /// <summary>Finds a model by name or alias (case-insensitive); NOT_FOUND lists what exists.</summary>
    public CatalogEntry Resolve(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw WorkerException.Invalid("A model name is required.");
        }

        var entries = List();
        var entry = entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? entries.FirstOrDefault(e => e.Settings.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (entry is not null)
        {
            return entry;
        }

        var available = entries.Count == 0 ? "none" : string.Join(", ", entries.Select(e => e.Name));
        throw new WorkerException(ErrorReason.ModelNotFound, $"Model '{name}' is not in the catalog (available: {available}).");
    }

    private Dictionary<string, ModelSettings> ReadSettings()
    {
        var path = Path.Combine(Directory, ModelsFile.FileName);
        if (!File.Exists(path))
        {
            return new(StringComparer.OrdinalIgnoreCase);
        }

        try
        {
            var file = JsonSerializer.Deserialize<ModelsFile>(File.ReadAllText(path), JsonOptions);
            return new(file?.Models ?? [], StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            // A broken models.json must not take the catalog down: serve the files with default settings.
            LogBadModelsFile(logger, path, ex.Message);
            return new(StringComparer.OrdinalIgnoreCase);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Ignoring {Path}: {Reason}")]
    private static partial void LogBadModelsFile(ILogger logger, string path, string reason);
}
