namespace Distributed.Grpc.Tests.Interop;

internal static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test assembly holding Distributed.sln or global.json.</summary>
    public static string Root { get; } = FindRoot();

    public static string Interop => Path.Combine(Root, "tests", "interop");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Distributed.sln")) || File.Exists(Path.Combine(dir.FullName, "global.json")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Distributed.sln or global.json above {TestContext.CurrentContext.TestDirectory}.");
    }
}
