using BizKeys.Core;
using BizKeys.Core.Data;
using BizKeys.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Core;

/// <summary>Starting on a database that an earlier process left behind in a bad moment.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(_directory);
    }

    private ServiceProvider Services(TimeProvider time) => new ServiceCollection()
        .AddLogging()
        .AddSingleton(time)
        .AddBizKeysCore(ProductConfiguration.Build(new Dictionary<string, string?>
        {
            ["ConnectionStrings:BizKeys"] = $"Data Source={Path.Combine(_directory, "bizkeys.db")}",
        }), _directory)
        .BuildServiceProvider();

    [Fact]
    public async Task A_migration_lock_left_by_a_killed_start_is_cleared_and_the_start_completes()
    {
        // What a process killed during its first migration leaves: the lock row, and nothing migrated.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "bizkeys.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TABLE \"{MigrationRunner.LockTable}\" (\"Id\" INTEGER NOT NULL PRIMARY KEY, \"Timestamp\" TEXT NOT NULL); " +
                                  $"INSERT INTO \"{MigrationRunner.LockTable}\" VALUES (1, '2026-11-27 10:00:00');";
            await command.ExecuteNonQueryAsync();
        }
        // The clock jumps 5 s each time it is read, so the 30 s of patience pass in a moment.
        await using var services = Services(new FakeTimeProvider(TestData.Start) { AutoAdvanceAmount = TimeSpan.FromSeconds(5) });

        await DatabaseInitializer.InitializeAsync(services).WaitAsync(TimeSpan.FromSeconds(60));

        await using var db = await services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(0, await db.ApiKeys.CountAsync());
    }

    [Fact]
    public async Task A_start_with_nothing_to_migrate_never_waits_for_the_lock()
    {
        await using (var first = Services(TimeProvider.System))
            await DatabaseInitializer.InitializeAsync(first);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "bizkeys.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = $"CREATE TABLE IF NOT EXISTS \"{MigrationRunner.LockTable}\" (\"Id\" INTEGER NOT NULL PRIMARY KEY, \"Timestamp\" TEXT NOT NULL); " +
                                  $"INSERT OR REPLACE INTO \"{MigrationRunner.LockTable}\" VALUES (1, '2026-11-27 10:00:00');";
            await command.ExecuteNonQueryAsync();
        }
        await using var second = Services(TimeProvider.System);

        await DatabaseInitializer.InitializeAsync(second).WaitAsync(TimeSpan.FromSeconds(10));
    }
}
