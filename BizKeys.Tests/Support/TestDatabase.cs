using Microsoft.AspNetCore.DataProtection;
using BizKeys.Core;
using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BizKeys.Tests.Support;

/// <summary>
/// BizKeys Core on a real SQLite file of its own, configured from the product's appsettings.json,
/// with a fake clock that tests move by hand.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestDatabase(string directory, ServiceProvider services, FakeTimeProvider time)
    {
        Directory = directory;
        _services = services;
        Time = time;
    }

    public string Directory { get; }
    public string DatabasePath => Path.Combine(Directory, "bizkeys.db");
    public FakeTimeProvider Time { get; }
    public IServiceProvider Services => _services;
    public ApiKeyService Keys => _services.GetRequiredService<ApiKeyService>();
    public AccountService Accounts => _services.GetRequiredService<AccountService>();
    public Account Account { get; private set; } = default!;
    /// <summary>The owner of <see cref="Account"/>, signed in as a person would be.</summary>
    public Actor Owner { get; private set; } = default!;
    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <param name="services">Adds to or replaces the Core's services (an interceptor, settings) before the provider is built.</param>
    public static async Task<TestDatabase> CreateAsync(Action<IServiceCollection>? services = null, IDictionary<string, string?>? settings = null)
    {
        var directory = TempDirectory.Create();
        var time = new FakeTimeProvider(TestData.Start);
        var provider = Build(directory, time, services, settings);
        await DatabaseInitializer.InitializeAsync(provider);
        var database = new TestDatabase(directory, provider, time) { _extraServices = services, _settings = settings };
        var owner = await provider.SeedOwnerAsync();
        database.Account = (await database.Accounts.FindByNameAsync(TestData.AccountName))!;
        database.Owner = Actor.User(owner.Id, TestData.OwnerEmail, isSupport: false, ip: "203.0.113.10");
        return database;
    }

    private Action<IServiceCollection>? _extraServices;
    private IDictionary<string, string?>? _settings;

    /// <summary>
    /// The Core started again on this same database and clock, with nothing of this instance's memory: a restart
    /// (dispose this one's services first to make it a crash-free one), or a second server beside it.
    /// </summary>
    public ServiceProvider StartAnotherInstance() => Build(Directory, Time, _extraServices, _settings);

    private static ServiceProvider Build(string directory, FakeTimeProvider time, Action<IServiceCollection>? services, IDictionary<string, string?>? settings)
    {
        var overrides = TestDatabases.SettingsFor(directory);
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
            overrides[name] = value;
        var configuration = ProductConfiguration.Build(overrides);
        var collection = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(time)
            .AddBizKeysCore(configuration, directory);
        collection.AddDataProtection().UseEphemeralDataProtectionProvider(); // no keys left on disk
        services?.Invoke(collection);
        return collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Another person, signed in, with a role in an account (or support staff when <paramref name="role"/> is Support).</summary>
    public async Task<Actor> AddUserAsync(string email, string role, string? accountName = TestData.AccountName)
    {
        var user = await _services.CreateUserAsync(email, role, accountName);
        return Actor.User(user.Id, email, user.IsSupport, "198.51.100.20");
    }

    /// <summary>Another account, with an owner of its own, made as an operator would.</summary>
    public async Task<Account> CreateAccountAsync(string name)
    {
        await _services.CreateUserAsync($"owner-{Guid.NewGuid():N}@example.com", "Owner", name);
        return (await Accounts.FindByNameAsync(name))!;
    }

    public CreateKeyRequest NewKey(string name = "Production bot", params string[] permissions) => new()
    {
        AccountId = Account.Id,
        Name = name,
        Environment = "Production",
        Permissions = permissions.Length == 0 ? ["messages:send"] : permissions,
    };

    public Task<IssuedSecret> CreateKeyAsync(string name = "Production bot") => Keys.CreateAsync(NewKey(name), Owner);

    /// <summary>Which secret of the key a presented one is, as the verifier (the production path) decides now.</summary>
    public async Task<SecretMatch> MatchAsync(string key, string secret) =>
        (await _services.GetRequiredService<BizKeys.Core.Verification.KeyVerifier>().VerifyAsync(key, secret, ip: null)).Matched;

    /// <summary>The stored key row itself (digests included), as the database holds it.</summary>
    public async Task<ApiKey> LoadKeyAsync(string key)
    {
        var factory = _services.GetRequiredService<IDbContextFactory<BizKeysDbContext>>();
        await using var context = await factory.CreateDbContextAsync();
        return await context.ApiKeys.AsNoTracking().SingleAsync(k => k.Key == key);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        TestDatabases.Drop(Directory);
        TempDirectory.Delete(Directory);
    }
}
