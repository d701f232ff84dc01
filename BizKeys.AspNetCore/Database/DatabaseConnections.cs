using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BizKeys.Core.Data;

/// <summary>
/// Connections to BizKeys' database for the verification path, without Entity Framework: the key look-up, the
/// change-log follower and the usage flush. On PostgreSQL one pooled data source serves them (and, in the app, Entity
/// Framework too); on SQLite each open takes a pooled connection to the file.
/// </summary>
public sealed class DatabaseConnections
{
    private readonly string _sqlite = "";
    private readonly NpgsqlDataSource? _postgres;

    public DatabaseConnections(DatabaseSettings settings, IServiceProvider services)
    {
        Settings = settings;
        if (settings.IsPostgres)
            _postgres = services.GetRequiredService<NpgsqlDataSource>();
        else // never creates the file: BizKeys makes and migrates its database, a service only opens it
            _sqlite = new SqliteConnectionStringBuilder(settings.ConnectionString) { Mode = SqliteOpenMode.ReadWrite }.ToString();
    }

    public DatabaseSettings Settings { get; }

    public bool IsPostgres => Settings.IsPostgres;

    /// <summary>PostgreSQL's data source (null on SQLite).</summary>
    public NpgsqlDataSource? Postgres => _postgres;

    /// <summary>An open connection; on SQLite, waiting up to 5 s for a busy file rather than failing at once.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken ct)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(ct);
        var connection = new SqliteConnection(_sqlite);
        await connection.OpenAsync(ct);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds};";
        await pragma.ExecuteNonQueryAsync(ct);
        return connection;
    }

    public const int BusyTimeoutMilliseconds = 5000;

    /// <summary>
    /// Registers the engine's settings, its PostgreSQL data source and these connections. A relative SQLite path is
    /// resolved against <paramref name="baseDirectory"/>.
    /// </summary>
    public static DatabaseSettings Add(IServiceCollection services, DatabaseProvider provider, string connectionString, string baseDirectory, bool createFolder = true)
    {
        var settings = provider == DatabaseProvider.Sqlite
            ? new DatabaseSettings(provider, SqliteConnectionStrings.Resolve(connectionString, baseDirectory, createFolder))
            : new DatabaseSettings(provider, connectionString);
        services.AddSingleton(settings);
        services.AddMetrics();
        services.AddSingleton<DatabaseMeter>();
        if (provider == DatabaseProvider.Postgres)
            services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString).Build());
        services.AddSingleton<DatabaseConnections>();
        return settings;
    }
}
