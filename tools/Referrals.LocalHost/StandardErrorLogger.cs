using Microsoft.Extensions.Logging;

namespace Referrals.LocalHost;

/// <summary>
/// `referrals run --verbose`: the host's log lines, one per line, on standard error. Exceptions are shown by type and
/// first line only: the log templates are written to carry no personal data, an exception's full text is not.
/// </summary>
public sealed class StandardErrorLoggerProvider(TextWriter error, LogLevel minimum = LogLevel.Information) : ILoggerProvider
{
    private readonly Lock _gate = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            error.WriteLine(line);
        }
    }

    private sealed class Logger(StandardErrorLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= provider.Minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            // The WebJobs SDK logs a function's result (Host.Results: Error when it failed) with a formatter that returns null.
            var text = (formatter(state, exception) ?? string.Empty).ReplaceLineEndings(" ");
            var failure = exception is null ? string.Empty : $" [{exception.GetType().Name}: {exception.Message.Split('\n', 2)[0].Trim()}]";
            provider.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {Level(logLevel)} {category}: {text}{failure}");
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }

    private LogLevel Minimum => minimum;
}
