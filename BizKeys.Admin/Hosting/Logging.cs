using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace BizKeys.Admin.Hosting;

public static partial class Logging
{
    /// <summary>Each log file rolls over at this size; with <see cref="RetainedFiles"/> the folder stays under 1 GB.</summary>
    public const long FileSizeLimitBytes = 50L * 1024 * 1024;
    public const int RetainedFiles = 20;

    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>The log folder: <c>BizKeys:LogDirectory</c>, relative to the product's folder; <c>logs</c> by default.</summary>
    public static string Directory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["BizKeys:LogDirectory"] ?? "logs", ProductPaths.BaseDirectory);

    /// <summary>
    /// Structured console and rolling-file logs, written off the request path by the server (an asynchronous sink).
    /// Levels come from the <c>Serilog</c> section; the file folder from
    /// <c>BizKeys:LogDirectory</c>. Files roll daily and at <see cref="FileSizeLimitBytes"/>, so a flood rolls the log
    /// instead of silencing it. Commands log to standard error so their standard output stays machine-readable.
    /// </summary>
    public static void AddBizKeysLogging(this WebApplicationBuilder builder, bool commandLine)
    {
        var logDirectory = Core.Data.PrivateDirectory.Create(Directory(builder.Configuration));
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

    /// <summary>A line per page request, at Information; health probes at Debug (they come every few seconds).</summary>
    public static IApplicationBuilder UseBizKeysRequestLogging(this IApplicationBuilder app) => app.UseSerilogRequestLogging(o =>
    {
        // This instance's logger: the middleware would otherwise write to the static one, which BizKeys never sets.
        o.Logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        o.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode is >= 500 and not 503 ? LogEventLevel.Error
            : context.Response.StatusCode == 503 ? LogEventLevel.Warning
            : context.Request.Path.StartsWithSegments("/healthz") ? LogEventLevel.Debug
            : LogEventLevel.Information;
    });

    /// <summary>
    /// An API request is no news on its own: the per-minute traffic summary (<see cref="TrafficSummary"/>) says what
    /// the API served, so no flood pushes the application log out. Its line is written at Debug, a 503 (a refusal to
    /// retry, not a fault) at Warning and a failure at Error; with <see cref="AccessLogSetting"/> every request also
    /// gets a line in the access log's own files. Nothing is allocated for a request whose line nobody reads.
    /// </summary>
    public static IApplicationBuilder UseBizKeysApiLogging(this IApplicationBuilder api)
    {
        var logger = api.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(ApiRequestsCategory);
        var access = api.ApplicationServices.GetService<AccessLog>();
        // Its last lines reach the disk when the app has stopped serving, whatever disposes what afterwards.
        if (access is not null)
            api.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(access.Dispose);
        return api.Use(async (context, next) =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            catch (Exception e)
            {
                ApiRequestFailed(logger, context.Request.Method, context.Request.Path.Value, 500, Elapsed(started), e);
                throw;
            }
            finally
            {
                access?.Logger.Information("{RequestMethod} {RequestPath} {StatusCode} {Elapsed:0.000} ms key {Key} from {ClientIp} request {RequestId}",
                    context.Request.Method, context.Request.Path.Value, context.Response.StatusCode, Elapsed(started),
                    context.Features.Get<BizKeys.AspNetCore.ApiKeyFeature>()?.Result?.Key?.Key ?? "-",
                    context.Connection.RemoteIpAddress?.ToString() ?? "-", context.TraceIdentifier);
            }
            var status = context.Response.StatusCode;
            // A failure the API's exception handler answered is logged there, once, with its trace id and exception.
            if (status >= 500 && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>() is not null)
                return;
            if (status == 503)
                ApiRequestRefused(logger, context.Request.Method, context.Request.Path.Value, status, Elapsed(started));
            else if (status >= 500)
                ApiRequestFailed(logger, context.Request.Method, context.Request.Path.Value, status, Elapsed(started), null);
            else if (logger.IsEnabled(LogLevel.Debug))
                ApiRequest(logger, context.Request.Method, context.Request.Path.Value, status, Elapsed(started));
        });
    }

    /// <summary>The category of API request lines (<c>Serilog:MinimumLevel:Override:BizKeys.Api.Requests=Debug</c> shows each).</summary>
    public const string ApiRequestsCategory = "BizKeys.Api.Requests";

    private static double Elapsed(long started) => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    [LoggerMessage(LogLevel.Debug, "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms")]
    private static partial void ApiRequest(Microsoft.Extensions.Logging.ILogger logger, string requestMethod, string? requestPath, int statusCode, double elapsed);

    [LoggerMessage(LogLevel.Warning, "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms")]
    private static partial void ApiRequestRefused(Microsoft.Extensions.Logging.ILogger logger, string requestMethod, string? requestPath, int statusCode, double elapsed);

    [LoggerMessage(LogLevel.Error, "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms")]
    private static partial void ApiRequestFailed(Microsoft.Extensions.Logging.ILogger logger, string requestMethod, string? requestPath, int statusCode, double elapsed, Exception? exception);
}
