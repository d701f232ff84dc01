namespace BizKeys.Core.Data;

/// <summary>The database engines BizKeys runs on (<c>Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>One machine, one file: the default, nothing to set up.</summary>
    Sqlite,
    /// <summary>Several instances behind a load balancer, sharing one PostgreSQL.</summary>
    Postgres,
}

public static class DatabaseProviders
{
    public const string SettingName = "Database:Provider";

    /// <summary>The engine the settings name (<c>Database:Provider</c>; SQLite when unset).</summary>
    public static DatabaseProvider From(Microsoft.Extensions.Configuration.IConfiguration configuration) => Parse(configuration[SettingName]);

    /// <exception cref="InvalidOperationException">A value that names neither engine, said in a sentence.</exception>
    public static DatabaseProvider Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return DatabaseProvider.Sqlite;
        foreach (var provider in Enum.GetValues<DatabaseProvider>())
            if (provider.ToString().Equals(value.Trim(), StringComparison.OrdinalIgnoreCase))
                return provider;
        if (value.Trim().Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase) || value.Trim().Equals("Npgsql", StringComparison.OrdinalIgnoreCase))
            return DatabaseProvider.Postgres;
        throw new InvalidOperationException($"{SettingName} '{value}' is not supported: use 'Sqlite' (one machine) or 'Postgres' (several instances sharing one PostgreSQL).");
    }
}
