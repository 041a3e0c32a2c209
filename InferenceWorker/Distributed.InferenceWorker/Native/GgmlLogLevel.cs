namespace Distributed.InferenceWorker.Native;

/// <summary><c>enum ggml_log_level</c>.</summary>
public enum GgmlLogLevel
{
    None = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    /// <summary>Continues the previous message.</summary>
    Cont = 5,
}
