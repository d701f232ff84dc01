using BizKeys.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BizKeys.Tests.Support;

/// <summary>
/// BizKeys.Core on its own, with its hosted services running, on another host's database: a second process's view
/// of the same data (SQLite allows one app per file, so the second reader is not an app).
/// </summary>
public sealed class CoreHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CoreHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<CoreHost> StartAsync(AppFactory sharing, IDictionary<string, string?>? settings = null)
    {
        var overrides = TestDatabases.SettingsFor(sharing.DatabaseDirectory, sharing.Provider);
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
            overrides[name] = value;
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddConfiguration(ProductConfiguration.Build(overrides));
        builder.Logging.ClearProviders();
        builder.Services.AddBizKeysCore(builder.Configuration, sharing.DatabaseDirectory);
        var host = builder.Build();
        await BizKeys.Core.Data.DatabaseInitializer.LoadKeyIdentifiersAsync(host.Services);
        await host.StartAsync();
        return new CoreHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
