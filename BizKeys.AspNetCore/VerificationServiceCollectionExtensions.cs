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
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                $"BizKeys verification needs BizKeys' database: set ConnectionStrings:{ConnectionStringName} (and Database:Provider " +
                $"for PostgreSQL) to the values BizKeys uses, for example as the environment variable ConnectionStrings__{ConnectionStringName}.");
        // A relative SQLite path is read from the service's content root, as its other files are.
        DatabaseConnections.Add(services, DatabaseProviders.From(configuration), connectionString, configuration["contentRoot"] ?? Directory.GetCurrentDirectory());
        services.AddHostedService<KeyIdentifierLoader>(); // first: nothing verifies before the identifiers are known
        services.AddVerificationKernel();
        services.AddAuthentication(ApiKeyDefaults.Scheme).AddBizKeysApiKeys();
        return services;
    }

    /// <summary>
    /// What every process that verifies keys runs — the app and every service: the cache and its change-log follower,
    /// the verifier, limits, and usage counting with its flush. The host registers options, the database and a key
    /// source first.
    /// </summary>
    public static IServiceCollection AddVerificationKernel(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKeySource, SqlKeySource>();
        services.AddSingleton<KeyIdentifiers>();
        services.AddSingleton<KeyChangeFeed>();
        services.AddSingleton<KeyCache>();
        services.AddSingleton<RateLimiter>();
        services.AddSingleton<FailedAttemptLimiter>();
        services.AddSingleton<UsageRecorder>();
        services.AddSingleton<KeyVerifier>();
        services.AddSingleton<UsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlusher>());
        services.AddSingleton<KeyChangeFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyChangeFollower>());
        if (services.Any(d => d.ServiceType == typeof(Npgsql.NpgsqlDataSource)))
            services.AddSingleton<SharedRateBudget>();
        return services;
    }
}
