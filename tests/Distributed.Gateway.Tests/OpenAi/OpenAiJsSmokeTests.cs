using System.Diagnostics;

namespace Distributed.Gateway.Tests.OpenAi;

/// <summary>
/// The official OpenAI JavaScript SDK (the <c>openai</c> npm package, pinned by tests/openai-js/package-lock.json;
/// CI runs <c>npm ci</c> there) under node against the shared gateway: a streamed chat completion and a Responses
/// chain through <c>previous_response_id</c> (tests/openai-js/smoke.mjs).
/// </summary>
[TestFixture]
public sealed class OpenAiJsSmokeTests
{
    [Test]
    public async Task OpenAiNpmPackage_ChatStreamAndResponsesChain_Pass()
    {
        var env = await SharedEnvironment.GetAsync();
        var directory = Path.Combine(TestPaths.RepoRoot, "tests", "openai-js");
        Assert.That(Directory.Exists(Path.Combine(directory, "node_modules", "openai")), Is.True, $"run 'npm ci' in {directory} first");

        var start = new ProcessStartInfo("node", "smoke.mjs")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["OPENAI_BASE_URL"] = new Uri(env.Gateway.BaseAddress, "/v1").ToString();
        start.Environment["OPENAI_API_KEY"] = TestKeys.Alice;
        start.Environment["MODEL"] = WorkerProcess.Stories;
        using var node = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = node.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        Assert.That(node.ExitCode, Is.EqualTo(0), $"{await stdout}\n{await stderr}");
        Assert.That(await stdout, Does.Contain("\"ok\":true"));
    }
}
