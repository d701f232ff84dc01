using System.Diagnostics;
using System.Text.RegularExpressions;
using BizKeys.Admin.Cli;
using BizKeys.Core.ApiKeys;
using BizKeys.Core;
using BizKeys.Tests.Support;

namespace BizKeys.Tests.Cli;

public class KeysCommandTests : DatabaseTest
{

    [Fact]
    public async Task Keys_create_prints_the_key_then_the_secret_and_the_key_works()
    {
        var (exit, output, error) = await Run("keys", "create", "--account", "My Business", "--name", "Nightly export",
            "--permissions", "messages:read,contacts:read", "--environment", "Staging", "--expires-days", "30");

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(Patterns.Key(), lines[0]);
        Assert.Matches(Patterns.Secret(), lines[1]);
        var key = (await Db.Keys.GetAsync(Db.Account.Id, lines[0], Db.Owner))!;
        Assert.Equal("Nightly export", key.Name);
        Assert.Equal("Staging", key.Environment);
        Assert.Equal(["contacts:read", "messages:read"], key.Permissions);
        Assert.Equal(Db.Now.AddDays(30), key.ExpiresAt);
        Assert.Equal("cli", key.CreatedBy);
        Assert.Equal(lines[1][^4..], key.SecretHint);
    }

    [Theory]
    [InlineData(1, "error: --name: Enter a name for the key.", "keys", "create", "--account", "My Business", "--name", "  ")]
    [InlineData(1, "error: --permissions: \"messages:delete\" is not a permission BizKeys knows.", "keys", "create", "--account", "My Business", "--name", "x", "--permissions", "messages:delete")]
    [InlineData(1, "error: --environment: Choose one of: Production, Staging, Development.", "keys", "create", "--account", "My Business", "--name", "x", "--environment", "Prod")]
    [InlineData(1, "error: there is no account named 'Nobody'.", "keys", "create", "--account", "Nobody", "--name", "x")]
    [InlineData(2, "error: --expires-days must be a whole number of days from 1 to 3650, not '0'.", "keys", "create", "--account", "My Business", "--name", "x", "--expires-days", "0")]
    [InlineData(2, "error: --expires-days must be a whole number of days from 1 to 3650, not 'soon'.", "keys", "create", "--account", "My Business", "--name", "x", "--expires-days", "soon")]
    [InlineData(2, "error: option '--account' is required.", "keys", "create", "--name", "x")]
    [InlineData(2, "error: option '--name' needs a value.", "keys", "create", "--account", "My Business", "--name")]
    [InlineData(2, "error: unknown option '--colour'.", "keys", "create", "--account", "My Business", "--name", "x", "--colour", "red")]
    [InlineData(2, "error: option '--name' is given twice.", "keys", "create", "--account", "My Business", "--name", "x", "--name", "y")]
    [InlineData(2, "error: unknown keys command 'delete'.", "keys", "delete")]
    public async Task Bad_input_gets_a_message_and_a_non_zero_exit_and_changes_nothing(int expectedExit, string message, params string[] args)
    {
        var (exit, output, error) = await Run(args);

        Assert.Equal(expectedExit, exit);
        Assert.Equal("", output);
        Assert.Contains(message, error);
        Assert.Equal(0, (await Db.Keys.QueryAsync(new KeyQuery(Db.Account.Id), Db.Owner)).TotalCount);
    }

    [Fact]
    public async Task A_duplicate_name_is_refused()
    {
        await Db.CreateKeyAsync("Nightly export");

        var (exit, output, error) = await Run("keys", "create", "--account", "My Business", "--name", "NIGHTLY EXPORT");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("error: --name: Another key in this account is already named \"NIGHTLY EXPORT\".", error);
    }

    [Fact]
    public async Task The_real_program_prints_only_key_and_secret_on_standard_output()
    {
        var directory = TempDirectory.Create();
        try
        {
            var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "BizKeys.Admin"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment =
                {
                    ["ConnectionStrings__BizKeys"] = $"Data Source={Path.Combine(directory, "bizkeys.db")}",
                    ["BizKeys__LogDirectory"] = Path.Combine(directory, "logs"),
                    ["BizKeys__Bootstrap__AccountName"] = "Acme Ltd",
                    ["BizKeys__Bootstrap__OwnerEmail"] = "owner@acme.example",
                    ["BizKeys__Bootstrap__OwnerPassword"] = "correct horse battery",
                },
            };
            foreach (var arg in new[] { "keys", "create", "--account", "Acme Ltd", "--name", "Process bot", "--environment", "Development" })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var output = await process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == 0, error);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.Matches(Patterns.Key(), lines[0]);
            Assert.Matches(Patterns.Secret(), lines[1]);
            Assert.DoesNotContain(lines[1], error);
        }
        finally
        {
            TempDirectory.Delete(directory);
        }
    }

    private async Task<(int Exit, string Output, string Error)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CommandLine.RunAsync(Db.Services, args, output, error);
        return (exit, output.ToString().Replace("\r", ""), error.ToString());
    }
}
