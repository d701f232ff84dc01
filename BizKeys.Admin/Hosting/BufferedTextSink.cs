using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// Writes log lines to a stream through a buffer that is emptied every <see cref="FlushInterval"/> and when the app
/// stops, instead of one write and flush per line. Standard output redirected to a file, a pipe or a container's
/// log collector is where a server's console lines go; flushing each one cost more than the request it described.
/// </summary>
public sealed class BufferedTextSink : ILogEventSink, IDisposable
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(250);

    private readonly ITextFormatter _formatter;
    private readonly StreamWriter _writer;
    private readonly Lock _lock = new();
    private readonly Timer _timer;
    private bool _pending;
    private bool _disposed;

    public BufferedTextSink(ITextFormatter formatter, Stream output)
    {
        _formatter = formatter;
        _writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024)
        {
            AutoFlush = false,
        };
        _timer = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _formatter.Format(logEvent, _writer);
            _pending = true;
        }
    }

    private void Flush()
    {
        lock (_lock)
        {
            if (!_pending || _disposed)
                return;
            _pending = false;
            try { _writer.Flush(); }
            catch (IOException) { } // a closed pipe must not take the app down; the lines are lost either way
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            try { _writer.Flush(); }
            catch (IOException) { }
            _writer.Dispose();
        }
    }
}
