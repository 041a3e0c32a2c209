namespace Distributed.InferenceWorker.Tests;

/// <summary>Locates the repository and the shared test models (<c>../shared/models/</c> beside the repository).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The grpc-js interop peers (tests/interop, a node project).</summary>
    public static string Interop => Path.Combine(RepoRoot, "tests", "interop");

    public static string SharedModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models"));

    public static string Stories => Path.Combine(SharedModels, "stories260K.gguf");

    public static string TinyRandom => Path.Combine(SharedModels, "llama-2-tiny-random.gguf");

    public static string NativeDirectory => Path.Combine(AppContext.BaseDirectory, "native", "cpu");

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
