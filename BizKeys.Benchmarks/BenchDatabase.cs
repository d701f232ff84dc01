using Npgsql;

namespace BizKeys.Benchmarks;

/// <summary>A PostgreSQL database of the benchmark's own, made at start and dropped at the end.</summary>
public sealed class BenchDatabase
{
    private readonly string _server;
    private readonly string _name;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        _name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string ConnectionString { get; }

    public static BenchDatabase Create(string server)
    {
        var database = new BenchDatabase(server, $"bizkeys_bench_{Guid.NewGuid():N}");
        database.Run($"CREATE DATABASE \"{database._name}\"");
        return database;
    }

    public void Drop()
    {
        NpgsqlConnection.ClearAllPools();
        Run($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)");
    }

    private void Run(string sql)
    {
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
