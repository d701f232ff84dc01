using System.Diagnostics;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Cli;

/// <summary>Starting on a database file that is not one: a sentence naming the file and a non-zero exit, never a new install.</summary>
/// <remarks>Tests of the SQLite file itself: they run in the SQLite pass only.</remarks>
[Trait("Category", "SqliteFile")]
public sealed class BadDatabaseTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    private string Database => Path.Combine(_directory, "bizkeys.db");

    private async Task<(int Code, string Error)> StartAsync()
    {
        using var app = Process.Start(AppProcess.StartInfo(_directory))!;
        var error = app.StandardError.ReadToEndAsync();
        var exited = app.WaitForExitAsync();
        if (await Task.WhenAny(exited, Task.Delay(TimeSpan.FromSeconds(60))) != exited)
        {
            app.Kill(entireProcessTree: true);
            throw new TimeoutException("The app started on a broken database instead of refusing.");
        }
        return (app.ExitCode, await error);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_stops_the_start_with_its_name()
    {
        await File.WriteAllTextAsync(Database, new string('x', 8192));

        var (code, error) = await StartAsync();

        Assert.Equal(4, code);
        Assert.Contains(Database, error);
        Assert.Contains("not a SQLite database", error);
        Assert.DoesNotContain("Unhandled exception", error);
    }

    [Fact]
    public async Task An_empty_file_is_never_taken_for_a_new_install()
    {
        await File.WriteAllBytesAsync(Database, []);

        var (code, error) = await StartAsync();

        Assert.Equal(4, code);
        Assert.Contains("the file is empty", error);
        Assert.Equal(0, new FileInfo(Database).Length); // no new owner was written into it
    }

    [Fact]
    public async Task Another_programs_database_is_not_moved_into()
    {
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)";
            await command.ExecuteNonQueryAsync();
        }

        var (code, error) = await StartAsync();

        Assert.Equal(4, code);
        Assert.Contains("another program's tables (invoices)", error);
    }

    [Fact]
    public async Task A_second_app_reaching_the_database_through_a_link_is_refused_too()
    {
        await using var first = await AppProcess.StartAsync(_directory);
        var elsewhere = Directory.CreateDirectory(Path.Combine(_directory, "elsewhere")).FullName;
        File.CreateSymbolicLink(Path.Combine(elsewhere, "bizkeys.db"), Database);

        using var second = Process.Start(AppProcess.StartInfo(elsewhere))!;
        var error = second.StandardError.ReadToEndAsync();
        await second.ExitWithinAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, second.ExitCode);
        Assert.Contains("Another BizKeys app is already serving", await error);
    }
}
