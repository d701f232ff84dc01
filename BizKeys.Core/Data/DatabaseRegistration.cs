using BizKeys.Core.Data.Postgres;
using BizKeys.Core.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BizKeys.Core.Data;

/// <summary>
/// Registers the context for the configured engine. Services ask for <c>IDbContextFactory&lt;BizKeysDbContext&gt;</c>
/// (one short-lived context per operation) and Identity for a scoped <see cref="BizKeysDbContext"/>; both are the
/// engine's own subclass, which carries its migrations. Interceptors registered as <see cref="IInterceptor"/>
/// services are added to every context (tests use this to count or hold commands).
/// </summary>
internal static class DatabaseRegistration
{
    public static void Add(IServiceCollection services, DatabaseProvider provider, string connectionString, string baseDirectory)
    {
        var settings = DatabaseConnections.Add(services, provider, connectionString, baseDirectory);
        services.AddSingleton<DatabaseActivity>();
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                // One pool of connections for the contexts, the change listener and the shared rate limits.
                services.AddDbContextFactory<PostgresBizKeysDbContext>((sp, o) => Configure(sp, o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())));
                Bridge<PostgresBizKeysDbContext>(services);
                break;
            default:
                services.AddDbContextFactory<SqliteBizKeysDbContext>((sp, o) => Configure(sp, o.UseSqlite(settings.ConnectionString).AddInterceptors(new SqlitePragmas())));
                Bridge<SqliteBizKeysDbContext>(services);
                break;
        }
    }

    private static void Configure(IServiceProvider services, DbContextOptionsBuilder options) =>
        options.AddInterceptors(services.GetServices<IInterceptor>()).AddInterceptors(services.GetRequiredService<DatabaseActivity>())
            // A refused save is handled where it happens (a name taken in a race, a conflict) and answered there;
            // an unhandled one is logged once by the app's error handling. EF Core's own ERROR lines would double it.
            .ConfigureWarnings(w => w.Log(
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.CommandError, LogLevel.Debug)));

    /// <summary>Services ask for the base type; Identity for a scoped context.</summary>
    private static void Bridge<TContext>(IServiceCollection services) where TContext : BizKeysDbContext
    {
        services.AddSingleton<IDbContextFactory<BizKeysDbContext>, BaseFactory<TContext>>();
        services.AddScoped<BizKeysDbContext>(sp => sp.GetRequiredService<TContext>());
    }

    private sealed class BaseFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<BizKeysDbContext>
        where TContext : BizKeysDbContext
    {
        public BizKeysDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<BizKeysDbContext> CreateDbContextAsync(CancellationToken ct = default) => await inner.CreateDbContextAsync(ct);
    }
}

