using System.Net;
using BizKeys.Core.Data;
using BizKeys.Core.Verification;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// OpenTelemetry: BizKeys' own meters (verifications, the key cache, usage flushes, the change stream, the outbox,
/// the database) with ASP.NET Core's, HttpClient's and Npgsql's, served as Prometheus text at <c>/metrics</c> to
/// loopback and <see cref="AllowedNetworksSection"/> only. With the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set,
/// metrics and traces (requests, outgoing calls, Entity Framework and Npgsql commands) also go out over OTLP, as the
/// other <c>OTEL_*</c> variables say.
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    /// <summary>Networks besides loopback that may read <see cref="MetricsPath"/>, such as "10.0.0.0/8".</summary>
    public const string AllowedNetworksSection = "BizKeys:Metrics:AllowedNetworks";

    public static void AddBizKeysTelemetry(this WebApplicationBuilder builder)
    {
        var networks = AllowedNetworks(builder.Configuration);
        builder.Services.AddSingleton(new MetricsAccess(networks));
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("bizkeys"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(VerificationMeter.MeterName, DatabaseMeter.MeterName, Core.Notifications.OutboxMeter.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0); // every scrape reads the figures now
                if (otlp)
                    metrics.AddOtlpExporter();
            });
        if (otlp)
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
    }

    /// <summary>
    /// <c>GET /metrics</c> ahead of everything else: Prometheus text for an allowed scraper, a bare 404 for anyone
    /// else (the route does not exist for them).
    /// </summary>
    public static IApplicationBuilder UseBizKeysMetrics(this IApplicationBuilder app)
    {
        var access = app.ApplicationServices.GetRequiredService<MetricsAccess>();
        app.Use((context, next) =>
        {
            if (!context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase) || access.Allows(context))
                return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        return app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path.Equals(MetricsPath, StringComparison.OrdinalIgnoreCase) && HttpMethods.IsGet(context.Request.Method));
    }

    private static List<IPNetwork> AllowedNetworks(IConfiguration configuration)
    {
        var networks = new List<IPNetwork>();
        // A list (BizKeys__Metrics__AllowedNetworks__0=…) or one value with commas (BizKeys__Metrics__AllowedNetworks=a,b).
        var section = configuration.GetSection(AllowedNetworksSection);
        var entries = (section.Get<string[]>() ?? []).Concat(section.Value is { } single ? [single] : [])
            .SelectMany(e => e.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var entry in entries)
        {
            if (IPNetwork.TryParse(entry, out var network))
                networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address))
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else
                throw new InvalidOperationException(
                    $"{AllowedNetworksSection} entry '{entry}' is not a network or an address; write it like 10.0.0.0/8 or 10.0.0.5.");
        }
        return networks;
    }

    /// <summary>Who may read the metrics.</summary>
    public sealed class MetricsAccess(IReadOnlyList<IPNetwork> networks)
    {
        /// <summary>
        /// Loopback or a listed network, asked directly: a request a proxy passed on (it carries X-Forwarded-For)
        /// comes from someone else, whatever address the proxy itself has.
        /// </summary>
        public bool Allows(HttpContext context)
        {
            var headers = context.Request.Headers;
            if (headers.ContainsKey("X-Forwarded-For") || headers.ContainsKey("Forwarded") || headers.ContainsKey("X-Original-For") || headers.ContainsKey("X-Real-IP"))
                return false;
            if (context.Connection.RemoteIpAddress is not { } address)
                return false; // a Unix socket: whoever is behind it is not known
            if (address.IsIPv4MappedToIPv6)
                address = address.MapToIPv4();
            return IPAddress.IsLoopback(address) || networks.Any(n => n.Contains(address));
        }
    }
}
