using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace BizKeys.Admin.Hosting;

public static class Logging
{
    /// <summary>Each log file rolls over at this size; with <see cref="RetainedFiles"/> the folder stays under 1 GB.</summary>
    public const long FileSizeLimitBytes = 50L * 1024 * 1024;
    public const int RetainedFiles = 20;

    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Structured console and rolling-file logs, written off the request path by the server (an asynchronous sink).
    /// Levels come from the <c>Serilog</c> section; the file folder from
    /// <c>BizKeys:LogDirectory</c>. Files roll daily and at <see cref="FileSizeLimitBytes"/>, so a flood rolls the log
    /// instead of silencing it. Commands log to standard error so their standard output stays machine-readable.
    /// </summary>
    public static void AddBizKeysLogging(this WebApplicationBuilder builder, bool commandLine)
    {
        var logDirectory = Core.Data.PrivateDirectory.Create(
            Path.GetFullPath(builder.Configuration["BizKeys:LogDirectory"] ?? "logs", ProductPaths.BaseDirectory));
        void Sinks(Serilog.Configuration.LoggerSinkConfiguration to)
        {
            if (!commandLine && Console.IsOutputRedirected)
                // A server whose output goes to a file, a pipe or a log collector: one write per quarter second
                // rather than one per line (the terminal keeps the coloured, line-by-line console below).
                to.Sink(new BufferedTextSink(new MessageTemplateTextFormatter(ConsoleTemplate), Console.OpenStandardOutput()));
            else
                to.Console(outputTemplate: ConsoleTemplate, standardErrorFromLevel: commandLine ? LogEventLevel.Verbose : null);
            to.File(
                new CompactJsonFormatter(),
                Path.Combine(logDirectory, "bizkeys-.log"),
                rollingInterval: RollingInterval.Day,
                fileSizeLimitBytes: FileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: RetainedFiles,
                // The server's lines reach the disk at least once a second and when it stops; a command's at once.
                buffered: !commandLine,
                flushToDiskInterval: commandLine ? null : TimeSpan.FromSeconds(1));
        }
        var configuration = new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).Enrich.FromLogContext();
        if (commandLine)
            Sinks(configuration.WriteTo); // a command's lines are written before it exits
        else
            // A request never waits for the console or the disk: lines queue (up to 100,000; beyond, they are dropped
            // rather than slowing requests) and one thread writes them. Stopping writes what is queued (Program).
            configuration.WriteTo.Async(Sinks, bufferSize: 100_000, blockWhenFull: false);
        var logger = configuration.CreateLogger();
        // Each app instance keeps its own logger (tests run several in one process); nothing uses the static Log.
        builder.Services.AddSingleton(logger);
        if (!commandLine && builder.Configuration.GetValue(AccessLogSetting, false))
        {
            // The opt-in access log: a line per API request in its own files, written by its own thread, never
            // pushing the application log out however busy the API is.
            var access = new LoggerConfiguration().MinimumLevel.Information()
                .WriteTo.Async(to => to.File(new CompactJsonFormatter(), Path.Combine(logDirectory, "access-.log"),
                    rollingInterval: RollingInterval.Day, fileSizeLimitBytes: FileSizeLimitBytes, rollOnFileSizeLimit: true,
                    retainedFileCountLimit: RetainedFiles, buffered: true, flushToDiskInterval: TimeSpan.FromSeconds(1)),
                    bufferSize: 100_000, blockWhenFull: false)
                .CreateLogger();
            builder.Services.AddSingleton(_ => new AccessLog(access)); // made by the container, so disposed (flushed) when the app stops
        }
        builder.Services.AddSingleton<Serilog.ILogger>(logger);
        builder.Services.AddSerilog(logger, dispose: true);
    }

    /// <summary>
    /// A line per page request in the application log; API requests and health probes at Debug only (a summary per
    /// minute says what the API served), and with <see cref="AccessLogSetting"/> a line per API request in the access
    /// log's own files.
    /// </summary>
    public const string AccessLogSetting = "BizKeys:AccessLog:Enabled";

    /// <summary>The access log's own logger, when <see cref="AccessLogSetting"/> is on.</summary>
    public sealed class AccessLog(Serilog.Core.Logger logger) : IDisposable
    {
        private int _disposed;

        public Serilog.ILogger Logger => logger;

        /// <summary>Writes what is queued and closes the files; once, whoever asks first.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
                logger.Dispose();
        }
    }

    public static IApplicationBuilder UseBizKeysRequestLogging(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetService<AccessLog>() is { } access)
        {
            // Its last lines reach the disk when the app has stopped serving, whatever disposes what afterwards.
            app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(access.Dispose);
            app.Use(async (context, next) =>
            {
                if (!context.Request.Path.StartsWithSegments("/api"))
                {
                    await next(context);
                    return;
                }
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                try
                {
                    await next(context);
                }
                finally
                {
                    access.Logger.Information("{RequestMethod} {RequestPath} {StatusCode} {Elapsed:0.000} ms key {Key} from {ClientIp} request {RequestId}",
                        context.Request.Method, context.Request.Path.Value, context.Response.StatusCode,
                        System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                        context.Features.Get<BizKeys.AspNetCore.ApiKeyFeature>()?.Result?.Key?.Key ?? "-",
                        context.Connection.RemoteIpAddress?.ToString() ?? "-", context.TraceIdentifier);
                }
            });
        }
        return app.UseSerilogRequestLogging(o =>
    {
        // This instance's logger: the middleware would otherwise write to the static one, which BizKeys never sets.
        o.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        // An API request or a health probe is no news on its own: the per-minute traffic summary (TrafficSummary) says
        // what the API served, so no flood pushes the application log out. A 503 is a refusal to retry, not a fault.
        o.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode is >= 500 and not 503 ? LogEventLevel.Error
            : context.Response.StatusCode == 503 ? LogEventLevel.Warning
            : context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/healthz") ? LogEventLevel.Debug
            : LogEventLevel.Information;
    });
    }
}
