using System.Diagnostics;

namespace Distributed.Testing;

/// <summary>
/// Starts a component in a process group (and session) of its own through <c>setsid</c>, which execs in place (the PID
/// stays the one <see cref="Process"/> knows): a signal meant for one component, a SIGKILL by PID above all, hits it
/// alone, and a terminal's Ctrl-C meant for the test run does not reach it. Without setsid (not Linux) it starts as is.
/// </summary>
public static class ProcessGroup
{
    private static readonly string? Setsid = new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists);

    /// <summary>Rewrites <paramref name="info"/> to run its program through setsid.</summary>
    public static ProcessStartInfo Isolate(ProcessStartInfo info)
    {
        if (Setsid is null || info.UseShellExecute)
        {
            return info;
        }

        var program = info.FileName;
        info.FileName = Setsid;
        info.ArgumentList.Insert(0, program);
        return info;
    }

    /// <summary>SIGKILL to the process by its PID (a crash: no shutdown code runs), then waits for it to be reaped.</summary>
    public static async Task KillAsync(Process process, TimeSpan? timeout = null)
    {
        try
        {
            if (!process.HasExited)
            {
                // On Unix Process.Kill is kill(pid, SIGKILL).
                process.Kill(entireProcessTree: false);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
    }
}
