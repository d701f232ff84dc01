using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.Data;

/// <summary>
/// Applies pending migrations, and only when some are pending: a start with nothing to migrate never touches the
/// migration lock. A lock left behind by a process killed mid-migration (SQLite keeps it in a table) is waited for
/// briefly, then cleared with a warning naming it, so one crash never hangs every later start.
/// </summary>
public static partial class MigrationRunner
{
    public const string LockTable = "__EFMigrationsLock";
    public static readonly TimeSpan StaleLockAfter = TimeSpan.FromSeconds(30);

    public static async Task ApplyAsync(BizKeysDbContext db, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        var where = Describe(db);
        var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var pending = db.Database.GetMigrations().Where(m => !applied.Contains(m)).ToList(); // one read of the history
        LogOpened(logger, where, applied.Count, pending.Count);
        if (pending.Count == 0)
            return;
        if (db.Database.IsSqlite())
        {
            await ClearStaleLockAsync(db, logger, where, time, ct);
            await db.Database.MigrateAsync(ct);
        }
        else
            await MigrateUnderAdvisoryLockAsync(db, ct);
        LogMigrated(logger, where, pending.Count, string.Join(", ", pending));
    }

    /// <summary>Any number taken by BizKeys' migrations alone (the sign-in keys take another).</summary>
    private const long PostgresMigrationLock = 0x42_694B_6579_4D67; // "BiKeyMg"

    /// <summary>
    /// PostgreSQL: instances starting together take turns, and each reads the history again once it has the lock,
    /// so a migration that one instance applied is never applied a second time by another (EF Core's own lock did
    /// not stop a second instance re-running a migration that drops an index).
    /// </summary>
    private static async Task MigrateUnderAdvisoryLockAsync(BizKeysDbContext db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({PostgresMigrationLock})", ct);
            try
            {
                if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
                    await db.Database.MigrateAsync(ct);
            }
            finally
            {
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({PostgresMigrationLock})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task ClearStaleLockAsync(BizKeysDbContext db, ILogger logger, string where, TimeProvider time, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + StaleLockAfter;
        while (await LockHeldAsync(db, ct))
        {
            if (time.GetUtcNow() >= deadline)
            {
                LogStaleLock(logger, LockTable, where, StaleLockAfter.TotalSeconds);
                await db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{LockTable}\"", ct);
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
        }
    }

    private static async Task<bool> LockHeldAsync(BizKeysDbContext db, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
            await db.Database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{LockTable}') AND EXISTS (SELECT 1 FROM \"{LockTable}\")";
        try
        {
            return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        catch (SqliteException)
        {
            return false; // no lock table yet: SQLite checks the second EXISTS even when the first is false
        }
    }

    private static string Describe(BizKeysDbContext db) =>
        db.Database.IsSqlite() ? new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource : db.Database.ProviderName ?? "database";

    [LoggerMessage(LogLevel.Information, "Database {Database}: {Applied} migrations applied, {Pending} pending")]
    private static partial void LogOpened(ILogger logger, string database, int applied, int pending);

    [LoggerMessage(LogLevel.Information, "Database {Database}: up to date; {Count} migrations were pending at start ({Names}), applied here or by an instance that got the migration lock first")]
    private static partial void LogMigrated(ILogger logger, string database, int count, string names);

    [LoggerMessage(LogLevel.Warning, "The migration lock in table {Table} of {Database} was held for more than {Seconds} s, most likely by a process that was stopped mid-migration; it was cleared")]
    private static partial void LogStaleLock(ILogger logger, string table, string database, double seconds);
}
