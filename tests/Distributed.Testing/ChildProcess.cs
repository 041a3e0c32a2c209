using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Distributed.Testing;

/// <summary>
/// A component under test running as a real process in a process group of its own (<see cref="ProcessGroup"/>): its
/// stdout and stderr captured (bounded) for failure messages, killed by PID on demand, and killed anyway when the test
/// run ends so nothing outlives it.
/// </summary>
public sealed class ChildProcess(int maxLogLength) : IDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly StringBuilder _log = new();
    private Process? _process;

    static ChildProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    };

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The PID of the current process (0 before the first start).</summary>
    public int Id => _process?.Id ?? 0;

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts (or starts again) with output redirected into <see cref="Log"/>.</summary>
    public void Start(ProcessStartInfo info, string what)
    {
        info.UseShellExecute = false;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        _process?.Dispose();
        var process = Process.Start(ProcessGroup.Isolate(info)) ?? throw new InvalidOperationException($"Could not start the {what} process.");
        Running[process.Id] = process;
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>SIGKILL by PID (like a crash) and waits for it to exit.</summary>
    public async Task KillAsync()
    {
        if (_process is null)
        {
            return;
        }

        await ProcessGroup.KillAsync(_process);
        Running.TryRemove(_process.Id, out _);
    }

    public void Dispose() => _process?.Dispose();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.Length < maxLogLength)
            {
                _log.AppendLine(line);
            }
        }
    }
}
