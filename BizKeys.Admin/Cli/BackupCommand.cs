using BizKeys.Core.Data;

namespace BizKeys.Admin.Cli;

/// <summary><c>backup --to FILE</c>: a consistent copy of the database, taken while the app runs.</summary>
public static class BackupCommand
{
    public const string Help = """
        usage: backup --to FILE
          Writes a consistent copy of the SQLite database to FILE (a new file) while the app keeps running, and checks it.
          To restore: stop the app, put the copy in place of the database file (removing its -wal and -shm files), start.
        """;

    private static readonly string[] BackupOptions = ["to"];

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var target = Options.Parse(args, BackupOptions).Required("to");
        try
        {
            var result = await services.GetRequiredService<DatabaseBackup>().WriteAsync(target, ct);
            await output.WriteLineAsync($"Backed up {result.Source} to {result.Copy}: {result.Bytes / 1024.0:N0} KB, {result.Keys} keys, integrity ok.");
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }
}
