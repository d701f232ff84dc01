using BizKeys.Core;
using BizKeys.Core.Data;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace BizKeys.Admin.Hosting;

/// <summary>Turns what stops a start on a broken, unreadable or unwritable database into one clear sentence.</summary>
public static class StartupFailure
{
    public static string? Describe(Exception e, IConfiguration configuration)
    {
        if (e is NpgsqlException postgres)
            return Postgres(postgres, configuration);
        if (e is ArgumentException && DatabaseProviders.From(configuration) == DatabaseProvider.Postgres)
            return $"ConnectionStrings:BizKeys is not a PostgreSQL connection string BizKeys can use: {e.Message} (see docs/deployment.md for an example).";
        var path = Database(configuration);
        return e switch
        {
            DatabaseUnusableException unusable => unusable.Message,
            SqliteException { SqliteErrorCode: 26 } => $"BizKeys cannot use the database {path}: it is not a SQLite database, or it is damaged. Restore it from a backup (see 'backup' in the README).",
            SqliteException { SqliteErrorCode: 11 } => $"BizKeys cannot use the database {path}: it is damaged (SQLite says malformed). Restore it from a backup.",
            SqliteException { SqliteErrorCode: 8 or 14 } => $"BizKeys cannot write the database {path} or its folder: give the account that runs BizKeys write access, or point ConnectionStrings:BizKeys elsewhere.",
            SqliteException { SqliteErrorCode: 13 } => $"The disk holding {path} is full: free space and start again.",
            SqliteException other => $"BizKeys cannot use the database {path}: {other.Message}",
            UnauthorizedAccessException or IOException => $"BizKeys cannot reach the database {path}: {e.Message}",
            _ => null,
        };
    }

    /// <summary>Where the server is and which database, never the password.</summary>
    private static string Postgres(NpgsqlException e, IConfiguration configuration)
    {
        var where = "the PostgreSQL server named in ConnectionStrings:BizKeys";
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(configuration.GetConnectionString(DependencyInjection.ConnectionStringName));
            where = $"PostgreSQL database '{builder.Database}' on {builder.Host}:{builder.Port} as '{builder.Username}'";
        }
        catch (ArgumentException)
        {
        }
        return e switch
        {
            PostgresException { SqlState: "3D000" } => $"BizKeys cannot use the {where}: it does not exist. Create it (createdb) or fix ConnectionStrings:BizKeys.",
            PostgresException { SqlState: "28P01" or "28000" } => $"BizKeys cannot sign in to the {where}: the server refused the user or password.",
            PostgresException { SqlState: "42501" } => $"BizKeys may not create its tables in the {where}: grant the user CREATE on the database (or its schema).",
            _ => $"BizKeys cannot reach the {where}: {e.Message} Check that the server runs and accepts connections from this machine.",
        };
    }

    private static string Database(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DependencyInjection.ConnectionStringName) ?? "";
        try
        {
            var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
            return Path.GetFullPath(dataSource, ProductPaths.BaseDirectory);
        }
        catch (ArgumentException)
        {
            return "named in ConnectionStrings:BizKeys";
        }
    }
}
