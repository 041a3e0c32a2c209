using System.Reflection;

namespace Distributed.Gateway.Tests.Support;

/// <summary>
/// Locates the repository (the folder holding Distributed.sln), the shared test models (<c>../shared/models/</c> beside
/// it) and the worker's build output in the same configuration as this test assembly.
/// </summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models"));

    public static string Stories => Path.Combine(SharedModels, "stories260K.gguf");

    public static string TinyRandom => Path.Combine(SharedModels, "llama-2-tiny-random.gguf");

    /// <summary>Debug or Release: whatever this assembly was built as.</summary>
    public static string Configuration { get; } = DetectConfiguration();

    public static string WorkerDirectory =>
        Path.Combine(RepoRoot, "InferenceWorker", "Distributed.InferenceWorker", "bin", Configuration, "net10.0");

    public static string WorkerDll => Path.Combine(WorkerDirectory, "Distributed.InferenceWorker.dll");

    private static string DetectConfiguration()
    {
        // bin/<Configuration>/net10.0/ is the test assembly's own folder.
        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (folder.Parent is { Parent.Name: "bin" } configuration)
        {
            return configuration.Name;
        }

        return typeof(TestPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Distributed.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Distributed.sln not found above " + AppContext.BaseDirectory);
    }
}
