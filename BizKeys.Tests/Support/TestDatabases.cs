using System.Collections.Concurrent;
using BizKeys.Core.Data;
using Npgsql;

namespace BizKeys.Tests.Support;

/// <summary>
/// Where a test's data lives, for the engine this run tests: a SQLite file in the test's folder, or, when
/// <c>BIZKEYS_TEST_PROVIDER=Postgres</c>, a PostgreSQL database of its own on the server in
/// <c>BIZKEYS_TEST_POSTGRES</c>, named after that folder (so a restart in the same folder finds the same data).
/// Every host (Core, bUnit, HTTP, browser, own process) takes its settings from here.
/// </summary>
public static class TestDatabases
{
    public const string ProviderVariable = "BIZKEYS_TEST_PROVIDER";
    public const string ServerVariable = "BIZKEYS_TEST_POSTGRES";

    private static readonly ConcurrentDictionary<string, Lazy<bool>> Created = new();

    static TestDatabases() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DropAll();

    /// <summary>The engine this test run is for.</summary>
    public static DatabaseProvider Provider { get; } = DatabaseProviders.Parse(Environment.GetEnvironmentVariable(ProviderVariable));

    /// <summary>The settings that point BizKeys at the test's database, made first on PostgreSQL.</summary>
    public static Dictionary<string, string?> SettingsFor(string directory, DatabaseProvider? provider = null)
    {
        if ((provider ?? Provider) == DatabaseProvider.Sqlite)
        {
            return new()
            {
                ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
                ["ConnectionStrings:BizKeys"] = $"Data Source={Path.Combine(directory, "bizkeys.db")}",
            };
        }
        var name = NameFor(directory);
        _ = Created.GetOrAdd(name, n => new Lazy<bool>(() => Create(n))).Value; // made once, even by instances starting together
        return new()
        {
            ["Database:Provider"] = nameof(DatabaseProvider.Postgres),
            ["ConnectionStrings:BizKeys"] = new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString,
        };
    }

    private static bool Create(string name)
    {
        using var admin = new NpgsqlConnection(Server);
        admin.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", admin) { Parameters = { new() { Value = name } } };
        if (exists.ExecuteScalar() is null)
        {
            using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            create.ExecuteNonQuery();
        }
        return true;
    }

    /// <summary>Drops the test's PostgreSQL database (a SQLite file goes with the test's folder).</summary>
    public static void Drop(string directory, DatabaseProvider? provider = null)
    {
        if ((provider ?? Provider) != DatabaseProvider.Postgres)
            return;
        var name = NameFor(directory);
        if (!Created.TryRemove(name, out _))
            return;
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(Server);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }

    private static void DropAll()
    {
        if (Created.IsEmpty)
            return;
        try
        {
            using var admin = new NpgsqlConnection(Server);
            admin.Open();
            foreach (var name in Created.Keys)
            {
                using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                drop.ExecuteNonQuery();
            }
        }
        catch (NpgsqlException)
        {
            // The throwaway server is gone already: its files go with it.
        }
    }

    /// <summary>A valid PostgreSQL name from the folder's own unique name.</summary>
    private static string NameFor(string directory) =>
        "bizkeys_t_" + new string([.. Path.GetFileName(directory.TrimEnd(Path.DirectorySeparatorChar)).Where(char.IsAsciiLetterOrDigit)]).ToLowerInvariant();

    private static string Server => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server
        ? server
        : throw new InvalidOperationException(
            $"The PostgreSQL tests need a server: run scripts/test.sh (it installs PostgreSQL from Debian and starts " +
            $"a throwaway one), or start one yourself and set {ServerVariable}=\"Host=127.0.0.1;Port=5432;Username=postgres\".");
}
