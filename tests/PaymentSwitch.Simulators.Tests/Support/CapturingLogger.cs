using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace PaymentSwitch.Simulators.Tests.Support;

/// <summary>An <see cref="ILogger"/> (and provider) that keeps every line, formatted, with its exception, at every level.</summary>
internal sealed class CapturingLogger : ILogger, ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join('\n', _lines);

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = $"{logLevel}: {formatter(state, exception)}";
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
            line += " {" + string.Join(", ", values.Select(v => $"{v.Key}={v.Value}")) + "}";
        if (exception is not null) line += "\n" + exception;
        _lines.Enqueue(line);
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }
}
