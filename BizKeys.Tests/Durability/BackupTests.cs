using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BizKeys.Tests.Api;
using BizKeys.Tests.Support;
using Microsoft.Data.Sqlite;

namespace BizKeys.Tests.Durability;

/// <summary><c>backup --to FILE</c> while the app serves writes: a consistent copy holding what was acknowledged.</summary>
[Trait("Category", "Durability")]
public sealed class BackupTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(_directory);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var command = Process.Start(AppProcess.StartInfo(_directory, args))!;
        var output = command.StandardOutput.ReadToEndAsync();
        var error = command.StandardError.ReadToEndAsync();
        await command.ExitWithinAsync(TimeSpan.FromSeconds(60));
        return (command.ExitCode, await output, await error);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_backup_taken_under_load_is_intact_and_holds_every_key_acknowledged_before_it()
    {
        var (_, created, _) = await RunAsync("keys", "create", "--account", TestData.AccountName, "--name", "Writer", "--permissions", "keys:write,messages:send");
        var writer = created.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        await using var app = await AppProcess.StartAsync(_directory);
        using var client = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        var acknowledged = new List<string>();
        async Task CreateAsync(int i)
        {
            var request = ApiApp.Basic(HttpMethod.Post, "/api/v1/keys", writer[0], writer[1]);
            request.Content = JsonContent.Create(new { name = $"Under load {i}", permissions = new[] { "messages:send" } });
            var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var key = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetProperty("key").GetString()!;
            lock (acknowledged)
                acknowledged.Add(key);
        }
        for (var i = 0; i < 20; i++)
            await CreateAsync(i);
        var beforeBackup = acknowledged.ToList();
        using var stop = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            for (var i = 20; !stop.IsCancellationRequested; i++)
                await CreateAsync(i);
        });

        var copy = Path.Combine(_directory, "backup.db");
        var (code, output, error) = await RunAsync("backup", "--to", copy);
        await stop.CancelAsync();
        await load;

        Assert.True(code == 0, error);
        Assert.Contains("integrity ok", output);
        await using var connection = new SqliteConnection($"Data Source={copy};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Key FROM ApiKeys";
        var inCopy = new HashSet<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                inCopy.Add(reader.GetString(0));
        }
        Assert.Superset(beforeBackup.ToHashSet(), inCopy);
        Assert.True(acknowledged.Count > beforeBackup.Count, "the app kept serving writes during the backup");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));

        var (again, _, refused) = await RunAsync("backup", "--to", copy);
        Assert.Equal(1, again);
        Assert.Contains("exists already", refused);
    }

    [Theory]
    [InlineData("folder")]
    [InlineData("empty")]
    [InlineData("unwritable")]
    public async Task A_backup_to_an_impossible_place_is_a_message_and_exit_1_never_a_crash(string where)
    {
        var target = where switch
        {
            "folder" => _directory,
            "empty" => "",
            _ => "/proc/bizkeys-backup.db",
        };

        var (code, _, error) = await RunAsync("backup", "--to", target);

        Assert.Equal(1, code);
        Assert.Contains("error: ", error);
        Assert.DoesNotContain("Unhandled exception", error);
    }
}
