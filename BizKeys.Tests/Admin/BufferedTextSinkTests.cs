using System.Text;
using BizKeys.Admin.Hosting;
using Serilog;
using Serilog.Formatting.Display;

namespace BizKeys.Tests.Admin;

/// <summary>The server's redirected console: lines are written in batches, and none is lost when the app stops.</summary>
public class BufferedTextSinkTests
{
    /// <summary>Keeps what was written even after the writer closes it.</summary>
    private sealed class Captured : MemoryStream
    {
        public int Writes { get; private set; }
        public string Text => Encoding.UTF8.GetString(_kept.ToArray());
        private readonly MemoryStream _kept = new();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Writes++;
            _kept.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            _kept.Write(buffer);
        }
    }

    private static (Serilog.Core.Logger Logger, Captured Output) Logger()
    {
        var output = new Captured();
        var sink = new BufferedTextSink(new MessageTemplateTextFormatter("{Message:lj}{NewLine}"), output);
        return (new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger(), output);
    }

    [Fact]
    public void A_thousand_lines_reach_the_output_in_a_few_writes_within_the_flush_interval()
    {
        var (logger, output) = Logger();
        using (logger)
        {
            for (var i = 0; i < 1_000; i++)
                logger.Information("Request {Number} served", i);

            var deadline = DateTime.UtcNow + BufferedTextSink.FlushInterval * 8;
            while (!output.Text.Contains("Request 999 served") && DateTime.UtcNow < deadline)
                Thread.Sleep(20);

            Assert.Contains("Request 999 served", output.Text);
            Assert.InRange(output.Writes, 1, 20); // 64 KiB at a time, not one write per line
        }
    }

    [Fact]
    public void Lines_still_buffered_when_the_app_stops_are_written()
    {
        var (logger, output) = Logger();

        logger.Information("Last words");
        logger.Dispose();

        Assert.Equal("Last words" + Environment.NewLine, output.Text);
    }
}
