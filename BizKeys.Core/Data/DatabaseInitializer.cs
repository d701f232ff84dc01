using BizKeys.Core.ApiKeys;
using BizKeys.Core.Accounts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Data;

/// <summary>Brings the database up to date at start (migrations, WAL journal, key identifiers), then runs the unattended bootstrap.</summary>
public static class DatabaseInitializer
{
    public static async Task InitializeAsync(IServiceProvider services, CancellationToken ct = default)
    {
        var dbFactory = services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            RefuseEmptyFile(db);
            await RefuseMissingServerDatabaseAsync(db, ct);
            if (db.Database.IsSqlite())
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;", ct);
            var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("BizKeys.Core.Data.Database");
            await MigrationRunner.ApplyAsync(db, logger, services.GetRequiredService<TimeProvider>(), ct);
            await LoadKeyIdentifiersAsync(db, services, ct);
        }

        await AccountBootstrap.RunAsync(services, ct);
    }

    /// <summary>
    /// On PostgreSQL the operator creates the database (with its collation and owner, as the deployment guide
    /// shows); BizKeys creates its tables in it but never the database itself, with whatever defaults the server has.
    /// </summary>
    private static async Task RefuseMissingServerDatabaseAsync(BizKeysDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
            return;
        var creator = (Microsoft.EntityFrameworkCore.Storage.IRelationalDatabaseCreator)db.GetService<Microsoft.EntityFrameworkCore.Storage.IDatabaseCreator>();
        if (!await creator.ExistsAsync(ct))
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(db.Database.GetConnectionString());
            throw new DatabaseUnusableException($"'{builder.Database}' on {builder.Host}:{builder.Port}",
                "it does not exist. Create it first (CREATE DATABASE … OWNER …; see docs/deployment.md), then start BizKeys again.");
        }
    }

    /// <summary>
    /// SQLite takes a zero-length file for a new database, so a truncated file would quietly become a fresh install
    /// with a new owner. A database file that exists must hold a database.
    /// </summary>
    private static void RefuseEmptyFile(BizKeysDbContext db)
    {
        if (!db.Database.IsSqlite())
            return;
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (File.Exists(path) && new FileInfo(path).Length == 0)
            throw new DatabaseUnusableException(path,
                "the file is empty, as a truncated or half-copied database would be. Restore it from a backup, or delete it to start a new, empty installation.");
        // Another program's database is not to be moved into: tables, but none of BizKeys' migration history.
        var tables = db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").ToList();
        if (tables.Any(t => !t.StartsWith("__EFMigrations", StringComparison.Ordinal)) && !tables.Contains("__EFMigrationsHistory"))
            throw new DatabaseUnusableException(path,
                $"it holds another program's tables ({string.Join(", ", tables.Take(3))}), not BizKeys'. Point ConnectionStrings:BizKeys at BizKeys' own database file.");
    }

    /// <summary>
    /// For a process that verifies keys without owning the database (it never migrates): loads the identifiers'
    /// tag key that the app made.
    /// </summary>
    public static async Task LoadKeyIdentifiersAsync(IServiceProvider services, CancellationToken ct = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync(ct);
        await LoadKeyIdentifiersAsync(db, services, ct);
    }

    /// <summary>The installation's tag key (made by the first start to get here) and the identifiers from before tags.</summary>
    private static async Task LoadKeyIdentifiersAsync(BizKeysDbContext db, IServiceProvider services, CancellationToken ct)
    {
        var installation = await db.Installations.AsNoTracking().SingleOrDefaultAsync(ct);
        if (installation is null)
        {
            db.Installations.Add(Installation.Create(services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime));
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance starting at the same moment wrote it first: use theirs.
            }
            db.ChangeTracker.Clear();
            installation = await db.Installations.AsNoTracking().SingleAsync(ct);
        }
        var untagged = await db.ApiKeys.Where(k => k.UntaggedId).Select(k => k.Key).ToListAsync(ct);
        services.GetRequiredService<KeyIdentifiers>().Load(installation.KeyIdTagKey, untagged);
    }
}
