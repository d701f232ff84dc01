using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace BizKeys.Tests.Support;

/// <summary>The whole BizKeys app in the test process, with its own database and log folder.</summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    public AppFactory(string logLevel = "Information")
    {
        Directory = TempDirectory.Create();
        LogDirectory = Path.Combine(Directory, "logs");
        LogLevel = logLevel;
    }

    public string Directory { get; }
    public string LogDirectory { get; }
    private string LogLevel { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:BizKeys", $"Data Source={Path.Combine(Directory, "bizkeys.db")}");
        builder.UseSetting("BizKeys:LogDirectory", LogDirectory);
        builder.UseSetting("Serilog:MinimumLevel:Default", LogLevel);
        foreach (var category in new[] { "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Microsoft.Hosting.Lifetime" })
            builder.UseSetting($"Serilog:MinimumLevel:Override:{category}", LogLevel);
    }

    /// <summary>Stops the app (flushing its logs) but keeps its files for the test to read.</summary>
    public ValueTask StopAsync() => base.DisposeAsync();

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TempDirectory.Delete(Directory);
    }
}
