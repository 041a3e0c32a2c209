using System.Reflection;

namespace Distributed.Testing;

/// <summary>
/// Locates the repository (the folder holding Distributed.sln), the shared test models (<c>../shared/models/</c> beside
/// it), the grpc-js interop peers and the worker's and gateway's build output in the same configuration as the test
/// assembly.
/// </summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SharedModels => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models"));

    public static string Stories => Path.Combine(SharedModels, "stories260K.gguf");

    public static string TinyRandom => Path.Combine(SharedModels, "llama-2-tiny-random.gguf");

    /// <summary>The grpc-js interop peers (tests/interop, a node project).</summary>
    public static string Interop => Path.Combine(RepoRoot, "tests", "interop");

    /// <summary>The llama.cpp natives copied next to the test assembly (a project referencing the worker).</summary>
    public static string NativeDirectory => Path.Combine(AppContext.BaseDirectory, "native", "cpu");

    /// <summary>Debug or Release: whatever the test assembly was built as.</summary>
    public static string Configuration { get; } = DetectConfiguration();

    public static string WorkerDirectory =>
        Path.Combine(RepoRoot, "InferenceWorker", "Distributed.InferenceWorker", "bin", Configuration, "net10.0");

    public static string WorkerDll => Path.Combine(WorkerDirectory, "Distributed.InferenceWorker.dll");

    public static string GatewayDirectory =>
        Path.Combine(RepoRoot, "Gateway", "Distributed.Gateway", "bin", Configuration, "net10.0");

    public static string GatewayDll => Path.Combine(GatewayDirectory, "Distributed.Gateway.dll");

    /// <summary>The dotnet host running these tests (DOTNET_HOST_PATH under `dotnet test`), else the one on PATH.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string DetectConfiguration()
    {
        // bin/<Configuration>/net10.0/ is the test assembly's own folder.
        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        if (folder.Parent is { Parent.Name: "bin" } configuration)
        {
            return configuration.Name;
        }

        return Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? typeof(TestPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration
            ?? "Debug";
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
