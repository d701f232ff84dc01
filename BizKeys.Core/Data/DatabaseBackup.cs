using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Data;

/// <summary>
/// A consistent copy of the database while the app keeps serving: SQLite's <c>VACUUM INTO</c> reads one snapshot
/// (writers go on in the write-ahead log) and writes a compact, self-contained file, which is then opened and checked.
/// </summary>
public sealed class DatabaseBackup(IDbContextFactory<BizKeysDbContext> dbFactory)
{
    public sealed record Result(string Source, string Copy, long Bytes, int Keys);

    /// <exception cref="InvalidOperationException">Not SQLite, the file exists already, or the copy failed its check.</exception>
    public async Task<Result> WriteAsync(string path, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidOperationException("Name the file to write, such as --to /backups/bizkeys.db.");
        var copy = Path.GetFullPath(path);
        if (Directory.Exists(copy))
            throw new InvalidOperationException($"{copy} is a folder; name a new file inside it.");
        if (File.Exists(copy))
            throw new InvalidOperationException($"{copy} exists already; choose a new file, so no backup is ever overwritten.");
        if (!Directory.Exists(Path.GetDirectoryName(copy)))
            throw new InvalidOperationException($"The folder {Path.GetDirectoryName(copy)} does not exist.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!db.Database.IsSqlite())
            throw new InvalidOperationException("backup copies SQLite databases; for PostgreSQL use pg_dump, as the deployment guide shows.");
        var source = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        try
        {
            await db.Database.ExecuteSqlRawAsync("VACUUM INTO {0}", [copy], ct);
        }
        catch (SqliteException e)
        {
            throw new InvalidOperationException($"The copy could not be written to {copy}: {e.Message}", e);
        }
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds what the database holds

        await using var check = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = copy, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await check.OpenAsync(ct);
        await using var integrity = check.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check";
        var verdict = (string?)await integrity.ExecuteScalarAsync(ct);
        if (verdict != "ok")
        {
            await check.CloseAsync();
            File.Delete(copy); // a bad copy must not pass for a backup, nor block the next try
            throw new InvalidOperationException($"The copy failed SQLite's integrity check ({verdict}) and was deleted; keep the database and try again.");
        }
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM ApiKeys";
        var keys = Convert.ToInt32(await count.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
        return new Result(source, copy, new FileInfo(copy).Length, keys);
    }
}
