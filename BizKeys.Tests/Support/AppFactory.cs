using BizKeys.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Support;

/// <summary>The whole BizKeys app in the test process, with its own database and log folder.</summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    /// <param name="withOwner">Create the first owner through the bootstrap settings (false: a fresh install that needs /setup).</param>
    /// <param name="time">A clock the test moves by hand; the real clock when null.</param>
    /// <param name="directory">Reuse another (stopped) instance's database and logs, as a restart would.</param>
    /// <param name="settings">Settings on top of the product's appsettings.json, as environment variables would set them.</param>
    /// <param name="services">Replaces services after the app registered its own (a failing validator, an interceptor).</param>
    /// <param name="provider">The engine, when the test needs one (several instances need PostgreSQL); else the run's.</param>
    /// <param name="sharing">Another running instance whose database this one shares, as a second instance behind a load balancer.</param>
    public AppFactory(string logLevel = "Information", bool withOwner = true, TimeProvider? time = null, string? directory = null,
        IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string environment = "Development",
        BizKeys.Core.Data.DatabaseProvider? provider = null, AppFactory? sharing = null)
    {
        _provider = sharing?.Provider ?? provider;
        Environment = environment;
        Settings = settings ?? new Dictionary<string, string?>();
        ExtraServices = services;
        WithOwner = withOwner;
        Time = time;
        Directory = directory ?? TempDirectory.Create();
        DatabaseDirectory = sharing?.DatabaseDirectory ?? Directory;
        LogDirectory = Path.Combine(Directory, "logs");
        LogLevel = logLevel;
    }

    public string Directory { get; }
    /// <summary>The folder whose database this instance uses: its own, or the instance it shares with.</summary>
    public string DatabaseDirectory { get; }
    private readonly BizKeys.Core.Data.DatabaseProvider? _provider;
    private bool SharesDatabase => DatabaseDirectory != Directory;
    public string LogDirectory { get; }
    /// <summary>Where this instance writes its mail as .eml files (no SMTP host is set unless the test sets one).</summary>
    public string MailDirectory => Path.Combine(Directory, "mail");
    private string LogLevel { get; }
    private bool WithOwner { get; }
    private TimeProvider? Time { get; }
    private IDictionary<string, string?> Settings { get; }
    private string Environment { get; }
    /// <summary>The run's engine, unless the test brings its own SQLite connection string.</summary>
    public BizKeys.Core.Data.DatabaseProvider Provider =>
        Settings.ContainsKey("ConnectionStrings:BizKeys") ? BizKeys.Core.Data.DatabaseProvider.Sqlite : _provider ?? TestDatabases.Provider;
    private Action<IServiceCollection>? ExtraServices { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        // A test that names its own database (a SQLite file it inspects) runs on SQLite whatever the run's engine.
        foreach (var (name, value) in TestDatabases.SettingsFor(DatabaseDirectory, Provider))
            builder.UseSetting(name, value);
        builder.UseSetting("BizKeys:LogDirectory", LogDirectory);
        builder.UseSetting("BizKeys:Smtp:PickupDirectory", MailDirectory);
        if (WithOwner)
        {
            builder.UseSetting("BizKeys:Bootstrap:OwnerEmail", TestData.OwnerEmail);
            builder.UseSetting("BizKeys:Bootstrap:OwnerPassword", TestData.Password);
            builder.UseSetting("BizKeys:Bootstrap:AccountName", TestData.AccountName);
        }
        builder.ConfigureTestServices(services =>
        {
            if (Time is not null)
                services.AddSingleton(Time);
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientAddress>();
            ExtraServices?.Invoke(services);
        });
        builder.UseSetting("Serilog:MinimumLevel:Default", LogLevel);
        foreach (var category in new[] { "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Microsoft.Hosting.Lifetime" })
            builder.UseSetting($"Serilog:MinimumLevel:Override:{category}", LogLevel);
        foreach (var (name, value) in Settings)
            builder.UseSetting(name, value);
    }

    /// <summary>The bootstrap owner as the services see a signed-in person.</summary>
    public async Task<(BizKeys.Core.Accounts.Account Account, BizKeys.Core.Actor Owner)> OwnerAsync()
    {
        var users = Services.GetRequiredService<BizKeys.Core.Users.UserDirectory>();
        var owner = (await users.FindByEmailAsync(TestData.OwnerEmail))!;
        var account = (await Services.GetRequiredService<BizKeys.Core.Accounts.AccountService>().FindByNameAsync(TestData.AccountName))!;
        return (account, BizKeys.Core.Actor.User(owner.Id, TestData.OwnerEmail, false, "127.0.0.1"));
    }

    /// <summary>
    /// Stops the app as SIGTERM would — every hosted service stopped, the last usage flush written — and then
    /// disposes it, keeping its files for the test to read. Disposing alone races the app's own stop: the service
    /// provider could go while the final flush was still writing.
    /// </summary>
    public async ValueTask StopAsync()
    {
        var lifetime = Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>();
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStopped.Register(() => stopped.TrySetResult()))
        {
            lifetime.StopApplication();
            await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        await base.DisposeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (!SharesDatabase)
            TestDatabases.Drop(DatabaseDirectory, Provider); // the instance that made the database drops it
        TempDirectory.Delete(Directory);
    }
}
