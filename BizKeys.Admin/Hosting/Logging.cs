using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace BizKeys.Admin.Hosting;

public static class Logging
{
    /// <summary>
    /// Structured console and rolling-file logs. Levels come from the <c>Serilog</c> section; the file folder from
    /// <c>BizKeys:LogDirectory</c>. Commands log to standard error so their standard output stays machine-readable.
    /// </summary>
    public static void AddBizKeysLogging(this WebApplicationBuilder builder, bool commandLine)
    {
        var logDirectory = Path.GetFullPath(builder.Configuration["BizKeys:LogDirectory"] ?? "logs", ProductPaths.BaseDirectory);
        builder.Services.AddSerilog(logger => logger
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}",
                standardErrorFromLevel: commandLine ? LogEventLevel.Verbose : null)
            .WriteTo.File(
                new CompactJsonFormatter(),
                Path.Combine(logDirectory, "bizkeys-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14),
            // Each app instance keeps its own logger (tests run several in one process); nothing uses the static Log.
            preserveStaticLogger: true);
    }
}
