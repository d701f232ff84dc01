using System.Diagnostics;
using Npgsql;

namespace BizKeys.Tests.Services;

/// <summary>
/// A PostgreSQL cluster of the test's own (scripts/postgres.sh), so the test can stop and start it — an outage — without
/// touching the server the other tests share.
/// </summary>
public sealed class OwnPostgres : IAsyncDisposable
{
    private readonly string _directory;
    private readonly int _port;

    private OwnPostgres(string server, string directory)
    {
        Server = server;
        _directory = directory;
        _port = new NpgsqlConnectionStringBuilder(server).Port;
    }

    public string Server { get; }

    public string Database(string name) => new NpgsqlConnectionStringBuilder(Server) { Database = name }.ConnectionString;

    private static string Root => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", ".."));

    public static async Task<OwnPostgres> StartAsync(string database)
    {
        var (output, exit) = await RunAsync("bash", "-c",
            "source scripts/postgres.sh && postgres_start >&2 && echo \"$BIZKEYS_TEST_POSTGRES\" && echo \"$BIZKEYS_TEST_POSTGRES_DIR\"");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("Host=", StringComparison.Ordinal) || l.StartsWith('/')).ToArray();
        if (exit != 0 || lines.Length < 2)
            throw new InvalidOperationException($"A PostgreSQL of the test's own did not start (scripts/postgres.sh needs Debian's postgresql package: apt-get install -y postgresql):\n{output}");
        var own = new OwnPostgres(lines[^2].Trim(), lines[^1].Trim());
        try
        {
            await using var admin = new NpgsqlConnection(own.Server);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
            return own;
        }
        catch
        {
            await own.DisposeAsync(); // a cluster started for a test that cannot use it is not left running
            throw;
        }
    }

    public Task StopAsync() => PgCtlAsync("-m", "fast", "-w", "stop");

    public Task StartAgainAsync() => PgCtlAsync("-l", Path.Combine(_directory, "server.log"), "-w", "-o",
        $"-c listen_addresses=127.0.0.1 -p {_port} -k {_directory} -c fsync=off -c synchronous_commit=off -c max_connections=300", "start");

    private async Task PgCtlAsync(params string[] args)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Order().Last();
        var (output, exit) = await RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(_directory, "data"), .. args]);
        if (exit != 0)
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', args)} failed:\n{output}");
    }

    private static async Task<(string Output, int Exit)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (await stdout + await stderr, process.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync("bash", "-c", $"export BIZKEYS_TEST_POSTGRES_DIR='{_directory}'; source scripts/postgres.sh && postgres_stop");
    }
}
