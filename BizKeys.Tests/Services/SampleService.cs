using System.Diagnostics;
using BizKeys.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BizKeys.Tests.Services;

/// <summary>
/// The sample platform service of <c>samples/Messages</c>, run as an adopter runs it: its own process
/// (<c>dotnet Messages.dll</c>) on a free loopback port, pointed at a BizKeys installation by its settings.
/// </summary>
public sealed class SampleService : IAsyncDisposable
{
    private readonly ProcessListening _listening = new();

    private SampleService(Process process) => Process = process;

    public Process Process { get; }
    public string BaseUrl { get; private set; } = "";
    public string Output => _listening.Output;

    /// <summary>Where the solution build put the sample (the same configuration as these tests).</summary>
    public static string Assembly
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = testBin.Parent!.Name; // …/BizKeys.Tests/bin/<Configuration>/net10.0
            var root = testBin.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(root, "samples", "Messages", "bin", configuration, testBin.Name, "Messages.dll");
            return File.Exists(path) ? path
                : throw new FileNotFoundException($"The sample service is not built at {path}: build the solution first (dotnet build BizKeys.sln).");
        }
    }

    /// <summary>
    /// Starts the sample in <paramref name="mode"/> against <paramref name="bizKeys"/> and waits until it listens: in
    /// Database mode with BizKeys' database settings, in Remote mode with BizKeys' address (started on Kestrel by
    /// <see cref="ListenAsync"/>) and a <c>keys:verify</c> key of the account, and no database settings at all.
    /// </summary>
    public static async Task<SampleService> StartAsync(AppFactory bizKeys, string mode, IDictionary<string, string>? settings = null)
    {
        settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        if (mode == "Remote")
        {
            var (account, owner) = await bizKeys.OwnerAsync();
            var verifier = await bizKeys.Services.GetRequiredService<BizKeys.Core.ApiKeys.ApiKeyService>().CreateAsync(new BizKeys.Core.ApiKeys.CreateKeyRequest
            {
                AccountId = account.Id, Name = $"Messages service {Guid.NewGuid():N}", Environment = "Production", Permissions = ["keys:verify"],
            }, owner);
            settings["BizKeys__Verification__Mode"] = "Remote";
            settings["BizKeys__Verification__Url"] = Urls.TryGetValue(bizKeys, out var url) ? url : throw new InvalidOperationException("Call SampleService.Listen(bizKeys) before anything starts BizKeys: a Remote service needs its address.");
            settings["BizKeys__Verification__Key"] = verifier.Key.Key;
            settings["BizKeys__Verification__Secret"] = verifier.Secret;
        }
        return await StartAsync(bizKeys, settings, database: mode != "Remote");
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AppFactory, string> Urls = [];

    /// <summary>BizKeys on a real loopback port, for a service in Remote mode to call; before anything else starts it.</summary>
    public static string Listen(AppFactory bizKeys)
    {
        bizKeys.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        bizKeys.StartServer();
        var url = bizKeys.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        Urls.AddOrUpdate(bizKeys, url);
        return url;
    }

    public static async Task<SampleService> StartAsync(AppFactory bizKeys, IDictionary<string, string>? settings = null, bool database = true)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Assembly);
        if (database)
        {
            foreach (var (name, value) in TestDatabases.SettingsFor(bizKeys.DatabaseDirectory, bizKeys.Provider))
                start.Environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        else
        {
            start.Environment["ConnectionStrings__BizKeys"] = ""; // a Remote service holds no database credentials
        }
        start.Environment["Urls"] = "http://127.0.0.1:0";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["BizKeys__Usage__FlushSeconds"] = "1";
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var service = new SampleService(Process.Start(start)!);
        try
        {
            service.BaseUrl = await service._listening.UrlAsync(service.Process);
        }
        catch (InvalidOperationException)
        {
            await service.DisposeAsync();
            throw;
        }
        return service;
    }

    /// <summary>SIGTERM, as a supervisor stops a service: it flushes what it counted and ends.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        await Process.ExitWithinAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }
        Process.Dispose();
    }
}
