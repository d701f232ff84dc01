using System.Diagnostics;
using BizKeys.Admin.Hosting;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Cli;

/// <summary>One rule for where data and settings come from, whatever the current directory.</summary>
public sealed class WhereThingsLiveTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    [Fact]
    public void From_source_paths_start_at_the_repository_and_a_published_app_at_its_own_folder()
    {
        File.WriteAllText(Path.Combine(_directory, "BizKeys.sln"), "");
        var fromSource = Directory.CreateDirectory(Path.Combine(_directory, "BizKeys.Admin", "bin", "Debug", "net10.0")).FullName;
        var publishedInside = Directory.CreateDirectory(Path.Combine(fromSource, "publish")).FullName;
        var publishedBeside = Directory.CreateDirectory(Path.Combine(_directory, "out")).FullName;

        Assert.Equal(Path.GetFullPath(_directory), ProductPaths.FindBaseDirectory(fromSource));
        Assert.Equal(publishedInside, ProductPaths.FindBaseDirectory(publishedInside));
        Assert.Equal(publishedBeside, ProductPaths.FindBaseDirectory(publishedBeside));
    }

    [Fact]
    public async Task An_appsettings_json_in_the_current_directory_changes_nothing()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_directory, "cwd")).FullName;
        await File.WriteAllTextAsync(Path.Combine(elsewhere, "appsettings.json"), """{ "BizKeys": { "Environments": [ "OnlyThis" ] } }""");
        var start = AppProcess.StartInfo(_directory, "keys", "create", "--account", TestData.AccountName, "--name", "Cwd test", "--environment", "Production");
        start.WorkingDirectory = elsewhere;

        using var command = Process.Start(start)!;
        var error = command.StandardError.ReadToEndAsync();
        await command.ExitWithinAsync(TimeSpan.FromSeconds(60));

        Assert.True(command.ExitCode == 0, await error);
    }
}
