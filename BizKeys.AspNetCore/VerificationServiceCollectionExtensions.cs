using BizKeys.Core.ApiKeys;
using BizKeys.Core.Data;
using BizKeys.Core.Usage;
using BizKeys.Core.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BizKeys.AspNetCore;

public static class VerificationServiceCollectionExtensions
{
    public const string ConnectionStringName = "BizKeys";

    /// <summary>
    /// Verifies BizKeys API keys in this service: the <see cref="ApiKeyDefaults.Scheme"/> authentication scheme, the
    /// <see cref="ApiKeyDefaults.AnyKeyPolicy"/> and <see cref="ApiKeyDefaults.PolicyFor"/> policies, the key cache
    /// kept true by BizKeys' change log, and usage counted into BizKeys. Reads <c>BizKeys:Verification</c> (its
    /// <c>Mode</c>), and for the <c>Database</c> mode <c>Database:Provider</c> and <c>ConnectionStrings:BizKeys</c>.
    /// It never migrates the database and never runs BizKeys' background work (mail, webhooks, scheduled events).
    /// </summary>
    public static IServiceCollection AddBizKeysVerification(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VerificationOptions>().Bind(configuration.GetSection("BizKeys:Verification"));
        services.AddOptions<UsageOptions>().Bind(configuration.GetSection("BizKeys:Usage"));
        var mode = configuration.GetValue("BizKeys:Verification:Mode", VerificationMode.Database);
        if (mode == VerificationMode.Remote)
            AddRemote(services, configuration);
        else
            AddDatabase(services, configuration);
        services.AddAuthentication(ApiKeyDefaults.Scheme).AddBizKeysApiKeys();
        return services;
    }

    private static void AddDatabase(IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"BizKeys verification needs BizKeys' database: set ConnectionStrings:{ConnectionStringName} (and Database:Provider " +
                $"for PostgreSQL) to the values BizKeys uses, for example as the environment variable ConnectionStrings__{ConnectionStringName}; " +
                "or set BizKeys:Verification:Mode to Remote with BizKeys' Url and a keys:verify Key and Secret.");
        // A relative SQLite path is read from the service's content root, as its other files are.
        DatabaseConnections.Add(services, DatabaseProviders.From(configuration), connectionString, configuration["contentRoot"] ?? Directory.GetCurrentDirectory(),
            createFolder: false); // BizKeys makes its folder, as the account it runs as
        services.AddHostedService<KeyIdentifierLoader>(); // first: nothing verifies before the identifiers are known
        services.AddVerificationKernel();
        services.AddDatabaseVerification();
    }

    private static void AddRemote(IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection("BizKeys:Verification");
        var missing = new[] { "Url", "Key", "Secret" }.Where(name => string.IsNullOrWhiteSpace(section[name])).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"BizKeys:Verification:Mode is Remote, so BizKeys:Verification:{string.Join(", ", missing)} must be set: BizKeys' address and " +
                "a key holding keys:verify (for example as BizKeys__Verification__Url, BizKeys__Verification__Key, BizKeys__Verification__Secret).");
        if (!Uri.TryCreate(section["Url"], UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            throw new InvalidOperationException("BizKeys:Verification:Url must be BizKeys' http(s) address, such as https://keys.internal.example."); // the value may hold credentials: not repeated
        services.AddHttpClient(Remote.BizKeysClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            AllowAutoRedirect = false, // the service's key never follows a redirect elsewhere
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        }).RemoveAllLoggers(); // a request for changes every 25 s is not news; failures are logged by the follower
        services.AddSingleton<Remote.BizKeysClient>();
        services.AddSingleton<IKeySource, Remote.RemoteKeySource>();
        services.AddVerificationKernel();
        services.AddSingleton<Remote.RemoteChangeFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<Remote.RemoteChangeFollower>());
        services.AddSingleton<Remote.RemoteUsageReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<Remote.RemoteUsageReporter>());
        services.AddHostedService<Remote.ShapeOnlyIdentifiers>();
    }

    /// <summary>
    /// What every process that verifies keys runs — the app and every service: the cache, the verifier, limits, usage
    /// counting. The host registers options and a key source first.
    /// </summary>
    public static IServiceCollection AddVerificationKernel(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<KeyIdentifiers>();
        services.AddSingleton<KeyChangeFeed>();
        services.AddSingleton<ChangeStreamHealth>();
        services.AddSingleton<KeyCache>();
        services.AddSingleton<VerificationMeter>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<FailedAttemptLimiter>();
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<KeyVerifier>();
        return services;
    }

    /// <summary>Keys read from BizKeys' database, its change log followed, usage written to it.</summary>
    public static IServiceCollection AddDatabaseVerification(this IServiceCollection services)
    {
        services.TryAddSingleton<SqlKeySource>();
        services.TryAddSingleton<IKeySource>(sp => sp.GetRequiredService<SqlKeySource>());
        services.AddSingleton<KeyCacheWarmer>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyCacheWarmer>());
        services.AddSingleton<UsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlusher>());
        services.AddSingleton<KeyChangeFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyChangeFollower>());
        if (services.Any(d => d.ServiceType == typeof(Npgsql.NpgsqlDataSource)))
            services.AddSingleton<SharedRateBudget>();
        return services;
    }
}
