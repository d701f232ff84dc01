using BizKeys.Core;
using BizKeys.Core.Data;
using Microsoft.Data.Sqlite;

namespace BizKeys.Admin.Hosting;

/// <summary>Turns what stops a start on a broken, unreadable or unwritable database into one clear sentence.</summary>
public static class StartupFailure
{
    public static string? Describe(Exception e, IConfiguration configuration)
    {
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
