namespace BizKeys.Core.Data;

/// <summary>Which engine this instance runs on, for the few places that differ (files, locks, notifications).</summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    /// <summary>Keeps the connection string (it may hold a password) out of logs and exception messages.</summary>
    public override string ToString() => $"DatabaseSettings {{ Provider = {Provider} }}";

    public bool IsPostgres => Provider == DatabaseProvider.Postgres;

    /// <summary>The folder of the SQLite database file; null on PostgreSQL or for an in-memory database.</summary>
    public string? DataFolder(string baseDirectory) => IsPostgres ? null : SqliteConnectionStrings.DirectoryOf(ConnectionString, baseDirectory);
}
