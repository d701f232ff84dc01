using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace BizKeys.Core.Data;

/// <summary>
/// Waits for a busy database instead of failing at once, on every connection. WAL mode itself is
/// persistent in the file and is switched on once by <see cref="DatabaseInitializer"/>.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public const int BusyTimeoutMilliseconds = 5000;
    /// <summary>Pages each connection keeps in memory (KiB, as a negative count): a usage flush updates rows all over
    /// a large table, and SQLite's default of 2 MB sent most of those pages to the disk and back.</summary>
    public const int CacheKibibytes = 32 * 1024;

    private static readonly string Sql = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}; PRAGMA foreign_keys = ON; PRAGMA cache_size = -{CacheKibibytes};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is SqliteConnection)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Sql;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (connection is SqliteConnection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
