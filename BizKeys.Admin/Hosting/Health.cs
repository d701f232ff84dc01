using System.Text.Json;
using BizKeys.Core.Data;
using BizKeys.Core.Notifications;
using BizKeys.Core.Verification;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// <c>GET /healthz/live</c>: the process answers. <c>GET /healthz/ready</c> (and <c>/healthz</c>): 200 while this
/// instance can do its work — the database answers with every migration applied, key changes reach it, its data and
/// log folders have room — and 503 otherwise, with a JSON body naming each failing check. Mail or webhooks that
/// cannot leave make it "Degraded" (still 200): an instance that cannot reach a mail server still verifies keys.
/// </summary>
public static class Health
{
    /// <summary>Below this much free space (MB) in the data or log folder, the instance is not ready.</summary>
    public const string MinFreeSetting = "BizKeys:Health:MinFreeMegabytes";
    public const long DefaultMinFreeMegabytes = 100;

    /// <summary>A message waiting longer than this makes the outbox check "Degraded".</summary>
    public static readonly TimeSpan OutboxStuckAfter = TimeSpan.FromHours(1);

    private const string Ready = "ready";

    public static IServiceCollection AddBizKeysHealth(this IServiceCollection services)
    {
        services.AddSingleton<DatabaseProbe>();
        services.AddHealthChecks()
            .AddCheck<DatabaseCheck>("database", tags: [Ready])
            .AddCheck<KeyChangesCheck>("key_changes", tags: [Ready])
            .AddCheck<DiskCheck>("disk", tags: [Ready])
            .AddCheck<OutboxCheck>("outbox", tags: [Ready]);
        return services;
    }

    public static void MapHealthChecks(this WebApplication app)
    {
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/healthz/ready", ready).AllowAnonymous();
        app.MapHealthChecks("/healthz", ready).AllowAnonymous();
    }

    /// <summary>Probes read: anything but GET and HEAD on the health routes is a 405 before any check runs.</summary>
    public static IApplicationBuilder UseHealthMethods(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/healthz") || HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            return next(context);
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = "GET, HEAD";
        return Task.CompletedTask;
    });

    /// <summary>
    /// {"status":"Unhealthy","checks":[{"name":"database","status":"Unhealthy","description":"…"}]}. Why a check
    /// failed (folders, migrations, lag) is for the operator: loopback and <see cref="Telemetry.AllowedNetworksSection"/>
    /// read it; anyone else gets each check's name and status, which is all a load balancer needs.
    /// </summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var detailed = context.RequestServices.GetRequiredService<Telemetry.MetricsAccess>().Allows(context);
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(e => new { name = e.Key, status = e.Value.Status.ToString(), description = detailed ? e.Value.Description : null }),
        };
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    /// <summary>Room in the SQLite database's folder (PostgreSQL keeps its own) and in the log folder.</summary>
    private sealed class DiskCheck(DatabaseSettings database, IConfiguration configuration) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            var floor = configuration.GetValue(MinFreeSetting, DefaultMinFreeMegabytes) * 1024 * 1024;
            var folders = new List<(string Name, string? Path)> { ("logs", Logging.Directory(configuration)), ("data", database.DataFolder(ProductPaths.BaseDirectory)) };
            var low = new List<string>();
            foreach (var (name, path) in folders)
            {
                if (string.IsNullOrEmpty(path) || !Directory.Exists(path))
                    continue;
                var free = new DriveInfo(path).AvailableFreeSpace;
                if (free < floor)
                    low.Add($"the {name} folder {path} has {free / (1024 * 1024)} MB free");
            }
            return Task.FromResult(low.Count == 0 ? HealthCheckResult.Healthy("Room to write data and logs")
                : HealthCheckResult.Unhealthy($"{string.Join("; ", low)}, below {floor / (1024 * 1024)} MB: free some space (or lower {MinFreeSetting})"));
        }
    }

    private sealed class DatabaseCheck(DatabaseProbe probe) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct) => probe.ResultAsync();
    }

    /// <summary>
    /// The database's answer, asked at most once a second however many probes arrive (a flood of probes costs no
    /// queries), and its migrations at most once a minute.
    /// </summary>
    private sealed class DatabaseProbe(IDbContextFactory<BizKeysDbContext> dbFactory, TimeProvider time)
    {
        private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan MigrationsFresh = TimeSpan.FromMinutes(1);
        private readonly Lock _lock = new();
        private Task<HealthCheckResult>? _last;
        private DateTimeOffset _lastAt;
        private DateTimeOffset _migrationsAt = DateTimeOffset.MinValue;
        private List<string> _pending = [];

        public Task<HealthCheckResult> ResultAsync()
        {
            lock (_lock)
            {
                var now = time.GetUtcNow();
                if (_last is null || (_last.IsCompleted && now - _lastAt >= Fresh))
                {
                    _lastAt = now;
                    _last = AskAsync(now);
                }
                return _last;
            }
        }

        private async Task<HealthCheckResult> AskAsync(DateTimeOffset now)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                // A real read of the tables every request touches: a damaged file answers a connection but not this.
                await db.Accounts.AnyAsync();
                await db.ApiKeys.AnyAsync();
                if (now - _migrationsAt >= MigrationsFresh || _pending.Count > 0)
                {
                    _pending = [.. await db.Database.GetPendingMigrationsAsync()];
                    _migrationsAt = now;
                }
                var pending = _pending;
                return pending.Count == 0 ? HealthCheckResult.Healthy("The database answers; its schema is current")
                    : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied ({string.Join(", ", pending)}): start one instance of this version to apply them");
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or IOException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("The database does not answer");
            }
        }
    }

    private sealed class KeyChangesCheck(ChangeStreamHealth stream, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            var now = time.GetUtcNow();
            return Task.FromResult(stream.IsCurrent(now)
                ? HealthCheckResult.Healthy("Key changes reach this instance")
                : HealthCheckResult.Unhealthy(
                    $"Key changes have not been read for {stream.SecondsSinceHeard(now):0} s: a key revoked elsewhere may still pass here for up to the cache lifetime"));
        }
    }

    private sealed class OutboxCheck(OutboxMeter outbox, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var last = outbox.Last;
            var stuck = new List<string>();
            if (last.OldestMail is { } mail && now - mail > OutboxStuckAfter)
                stuck.Add($"{last.Mail} mail(s) waiting, the oldest for {(now - mail).TotalMinutes:0} min");
            if (last.OldestWebhook is { } hook && now - hook > OutboxStuckAfter)
                stuck.Add($"{last.Webhooks} webhook delivery(ies) waiting, the oldest for {(now - hook).TotalMinutes:0} min");
            return Task.FromResult(stuck.Count == 0 ? HealthCheckResult.Healthy($"{last.Mail} mail(s) and {last.Webhooks} webhook delivery(ies) waiting")
                : HealthCheckResult.Degraded(string.Join("; ", stuck) + ": check the mail server and the webhook endpoints"));
        }
    }
}
