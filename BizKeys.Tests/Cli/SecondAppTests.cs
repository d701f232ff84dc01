using System.Diagnostics;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Cli;

/// <summary>One app per SQLite file: a second one refuses to start and says why; commands still run beside it.</summary>
/// <remarks>Tests of the SQLite file itself: they run in the SQLite pass only.</remarks>
[Trait("Category", "SqliteFile")]
public sealed class SecondAppTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    [Fact]
    public async Task A_second_app_on_the_same_database_refuses_to_start_naming_the_file_and_commands_still_run()
    {
        await using var first = await AppProcess.StartAsync(_directory);

        using var second = Process.Start(AppProcess.StartInfo(_directory))!;
        var error = second.StandardError.ReadToEndAsync();
        await second.ExitWithinAsync(TimeSpan.FromSeconds(60));
        using var command = Process.Start(AppProcess.StartInfo(_directory, "keys", "create", "--account", TestData.AccountName, "--name", "Beside the app"))!;
        var printed = command.StandardOutput.ReadToEndAsync();
        await command.ExitWithinAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, second.ExitCode);
        Assert.Contains("Another BizKeys app is already serving", await error);
        Assert.Contains(Path.Combine(_directory, "bizkeys.db"), await error);
        Assert.Equal(0, command.ExitCode);
        Assert.StartsWith("bk_", await printed);

        await first.KillAsync(); // the lock ends with the process, even a killed one
        await using var third = await AppProcess.StartAsync(_directory);
        Assert.False(third.Process.HasExited);
    }
}
