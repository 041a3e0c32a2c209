using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Distributed.Testing;

/// <summary>
/// Keeps every log entry of every category and level: the formatted message, each structured value, the exception
/// (with its inner exceptions and stack) and the scopes it was written in. To check that nothing secret is logged.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<string> Entries => _entries.ToArray();

    /// <summary>Every entry, one per line block.</summary>
    public string Text => string.Join("\n", _entries);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var entry = new StringBuilder();
            entry.Append(logLevel).Append(' ').Append(category).Append('[').Append(eventId.Id).Append("]: ").Append(formatter(state, exception));
            AppendValues(entry, state);
            if (exception is not null)
            {
                entry.Append('\n').Append(exception);
            }

            owner._scopes.ForEachScope(static (scope, builder) =>
            {
                builder.Append("\n  scope: ").Append(scope);
                AppendValues(builder, scope);
            }, entry);
            owner._entries.Enqueue(entry.ToString());
        }

        private static void AppendValues(StringBuilder entry, object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    entry.Append(" | ").Append(key).Append('=').Append(value is System.Collections.IEnumerable list and not string
                        ? string.Join(",", list.Cast<object?>())
                        : value);
                }
            }
        }
    }
}
