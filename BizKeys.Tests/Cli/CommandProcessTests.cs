using System.Diagnostics;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Cli;

/// <summary>The commands as an operator's script runs them: a real process, its exit code and its output.</summary>
public sealed class CommandProcessTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    private async Task<(int Code, string Output, string Error)> RunAsync(string? stdin, params string[] args)
    {
        var start = AppProcess.StartInfo(_directory, args);
        using var process = Process.Start(start)!;
        if (stdin is not null)
            await process.StandardInput.WriteLineAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{string.Join(' ', args)}' did not exit within 60 s: did it start the server?");
        }
        return (process.ExitCode, await output, await error);
    }

    [Theory]
    [InlineData("backpu")]
    [InlineData("seed-demoo")]
    public async Task A_mistyped_command_answers_with_the_list_of_commands_and_exit_code_2_without_starting_the_server(string word)
    {
        var (code, _, error) = await RunAsync(null, word);

        Assert.Equal(2, code);
        Assert.Contains($"unknown command '{word}'", error);
        Assert.Contains("users create", error);
        Assert.False(File.Exists(Path.Combine(_directory, "bizkeys.db")), "a mistyped command must not even open the database");
    }

    [Fact]
    public async Task Help_lists_the_commands_and_exits_0()
    {
        var (code, output, _) = await RunAsync(null, "--help");

        Assert.Equal(0, code);
        Assert.Contains("keys create", output);
        Assert.Contains("--password-stdin", output);
    }

    [Fact]
    public async Task Users_create_reads_the_password_from_standard_input()
    {
        var (code, output, error) = await RunAsync("correct horse battery",
            "users", "create", "--email", "ops@example.com", "--password-stdin", "--role", "Owner", "--account", "Ops Ltd");

        Assert.True(code == 0, error);
        Assert.Contains("Created ops@example.com as Owner of 'Ops Ltd'.", output);
        var (again, _, refused) = await RunAsync("", "users", "create", "--email", "x@example.com", "--password-stdin", "--role", "Support");
        Assert.Equal(2, again);
        Assert.Contains("read no password", refused);
    }
}
