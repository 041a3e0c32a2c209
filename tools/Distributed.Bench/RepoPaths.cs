namespace Distributed.Bench;

/// <summary>Locates the repository root (the folder holding Directory.Packages.props and protos/).</summary>
internal static class RepoPaths
{
    public const string DefaultTokenizerRelative = "../shared/models/llama-2-tiny-random.gguf";

    public static string? FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props"))
                    && Directory.Exists(Path.Combine(directory.FullName, "protos")))
                {
                    return directory.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>Resolves a path given relative to the repository root (falls back to the current directory).</summary>
    public static string FromRoot(string relative) =>
        Path.GetFullPath(Path.Combine(FindRoot() ?? Directory.GetCurrentDirectory(), relative));
}
