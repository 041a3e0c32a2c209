using System.Runtime.InteropServices;
using System.Text;

namespace Distributed.InferenceWorker.Native;

/// <summary>
/// Process-wide llama.cpp start-up: resolves the versioned native files, routes llama.cpp's log to ILogger,
/// loads the backend plug-ins (before <c>llama_backend_init</c>, or no backend exists) and reports the devices.
/// </summary>
public static unsafe partial class LlamaLibrary
{
    private static readonly Lock Gate = new();
    private static readonly StringBuilder PendingLine = new();
    private static ILogger? s_logger;
    private static GgmlLogLevel s_pendingLevel = GgmlLogLevel.Info;
    private static string? s_directory;

    [ThreadStatic]
    private static string? t_lastError;

    public static bool IsInitialized => s_directory is not null;

    /// <summary>Devices llama.cpp can use, e.g. "CPU: AMD EPYC" or "CUDA0: NVIDIA H100".</summary>
    public static IReadOnlyList<string> Devices { get; private set; } = [];

    /// <summary>"cuda" when a GPU device was registered, else "cpu".</summary>
    public static string Backend { get; private set; } = "cpu";

    /// <summary>The last error line llama.cpp logged on this thread (a failed load says why), then forgets it.</summary>
    public static string? TakeLastError()
    {
        var error = t_lastError;
        t_lastError = null;
        return error;
    }

    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.llama_version()) ?? "unknown";

    /// <summary>Initializes once per process; later calls with the same directory are no-ops.</summary>
    public static void Initialize(string nativeDirectory, ILogger logger)
    {
        lock (Gate)
        {
            if (s_directory is not null)
            {
                if (!string.Equals(s_directory, nativeDirectory, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"llama.cpp is already loaded from {s_directory}.");
                }

                return;
            }

            if (!Directory.Exists(nativeDirectory))
            {
                throw new DirectoryNotFoundException(
                    $"llama.cpp native directory '{nativeDirectory}' does not exist; build the worker (it restores the npm natives) or set Worker:NativeDirectory.");
            }

            s_logger = logger;
            var llama = FindLibrary(nativeDirectory, "libllama");
            var ggml = FindLibrary(nativeDirectory, "libggml");
            var ggmlBase = Path.Combine(nativeDirectory, "libggml-base.so");
            NativeLibrary.SetDllImportResolver(typeof(LlamaLibrary).Assembly, (name, assembly, path) => name switch
            {
                NativeMethods.Llama => NativeLibrary.Load(llama),
                NativeMethods.Ggml => NativeLibrary.Load(ggml),
                NativeMethods.GgmlBase => NativeLibrary.Load(ggmlBase),
                _ => IntPtr.Zero,
            });

            NativeMethods.llama_log_set(&OnNativeLog, IntPtr.Zero);
            LogGpuBackendProblem(nativeDirectory, logger);
            NativeMethods.ggml_backend_load_all_from_path(nativeDirectory);
            NativeMethods.llama_backend_init();
            Devices = ReadDevices();
            Backend = Devices.Any(d => d.StartsWith("GPU", StringComparison.Ordinal)) ? "cuda" : "cpu";
            s_directory = nativeDirectory;
            LogInitialized(logger, Version, nativeDirectory, string.Join("; ", Devices));
        }
    }

    /// <summary>The versioned file (libllama.v0.5.0.so, libllama.cuda.v0.5.0.so) for a library stem.</summary>
    private static string FindLibrary(string directory, string stem)
    {
        var candidates = Directory.GetFiles(directory, stem + ".*so")
            .Where(f => Path.GetFileName(f).StartsWith(stem + ".", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return candidates.Length > 0
            ? candidates[0]
            : throw new FileNotFoundException($"No {stem}.*.so in {directory}.");
    }

    /// <summary>ggml skips a CUDA plug-in that cannot load without saying why; try it first to log the loader's reason.</summary>
    private static void LogGpuBackendProblem(string directory, ILogger logger)
    {
        var cuda = Path.Combine(directory, "libggml-cuda.so");
        if (!File.Exists(cuda))
        {
            return;
        }

        try
        {
            var probe = NativeLibrary.Load(cuda);
            NativeLibrary.Free(probe);
        }
        catch (DllNotFoundException ex)
        {
            LogCudaUnavailable(logger, ex.Message);
        }
    }

    private static string[] ReadDevices()
    {
        var count = (int)NativeMethods.ggml_backend_dev_count();
        var devices = new string[count];
        for (var i = 0; i < count; i++)
        {
            var device = NativeMethods.ggml_backend_dev_get((nuint)i);
            var kind = NativeMethods.ggml_backend_dev_type(device) switch
            {
                0 => "CPU",
                1 => "GPU",
                2 => "IGPU",
                3 => "ACCEL",
                _ => "OTHER",
            };
            var name = Marshal.PtrToStringUTF8(NativeMethods.ggml_backend_dev_name(device));
            var description = Marshal.PtrToStringUTF8(NativeMethods.ggml_backend_dev_description(device));
            devices[i] = $"{kind} {name}: {description}";
        }

        return devices;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(System.Runtime.CompilerServices.CallConvCdecl)])]
    private static void OnNativeLog(int level, IntPtr text, IntPtr userData)
    {
        try
        {
            lock (PendingLine)
            {
                // llama.cpp writes lines in pieces; CONT continues the previous level.
                if ((GgmlLogLevel)level != GgmlLogLevel.Cont)
                {
                    s_pendingLevel = (GgmlLogLevel)level;
                }

                // Debug lines come per decode step: drop them before any marshaling unless someone listens.
                if (s_pendingLevel is GgmlLogLevel.Debug or GgmlLogLevel.None && s_logger?.IsEnabled(LogLevel.Debug) != true)
                {
                    return;
                }

                var message = Marshal.PtrToStringUTF8(text) ?? string.Empty;

                PendingLine.Append(message);
                if (!message.EndsWith('\n'))
                {
                    return;
                }

                var line = PendingLine.ToString().TrimEnd('\n');
                PendingLine.Clear();
                if (s_pendingLevel == GgmlLogLevel.Error)
                {
                    t_lastError = line.Trim();
                }

                if (s_logger is { } logger && line.Length > 0)
                {
                    LogNative(logger, ToLogLevel(s_pendingLevel), line);
                }
            }
        }
        catch
        {
            // An exception must never unwind into native code.
        }
    }

    private static LogLevel ToLogLevel(GgmlLogLevel level) => level switch
    {
        GgmlLogLevel.Error => LogLevel.Error,
        GgmlLogLevel.Warn => LogLevel.Warning,
        GgmlLogLevel.Info => LogLevel.Information,
        _ => LogLevel.Debug,
    };

    [LoggerMessage(EventId = 1, Message = "llama.cpp: {Text}")]
    private static partial void LogNative(ILogger logger, LogLevel level, string text);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "llama.cpp {Version} loaded from {Directory}; devices: {Devices}")]
    private static partial void LogInitialized(ILogger logger, string version, string directory, string devices);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The CUDA backend cannot be loaded, so the worker runs on the CPU: {Reason}")]
    private static partial void LogCudaUnavailable(ILogger logger, string reason);
}
