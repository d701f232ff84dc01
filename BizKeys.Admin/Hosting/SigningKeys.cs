using BizKeys.Core;
using BizKeys.Core.Data;
using Microsoft.AspNetCore.DataProtection;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// The keys that sign sign-in cookies and antiforgery tokens live with the data. On one machine: in <c>keys/</c>
/// beside the database (owner-only), not in the user profile, so backing up the data folder keeps people signed in
/// after a restore and nobody else on the machine can read them. On PostgreSQL: in the database, so a cookie one
/// instance issued is accepted by every other, and survives restarts of all of them.
/// </summary>
public static class SigningKeys
{
    public static IServiceCollection AddBizKeysSigningKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var protection = services.AddDataProtection().SetApplicationName("BizKeys");
        if (DatabaseProviders.From(configuration) == DatabaseProvider.Postgres)
        {
            protection.PersistKeysToDbContext<BizKeysDbContext>();
            return services;
        }
        var connectionString = configuration.GetConnectionString(DependencyInjection.ConnectionStringName) ?? "";
        var dataDirectory = SqliteConnectionStrings.DirectoryOf(connectionString, ProductPaths.BaseDirectory);
        if (dataDirectory is not null)
            protection.PersistKeysToFileSystem(new DirectoryInfo(PrivateDirectory.Create(Path.Combine(dataDirectory, "keys"))));
        return services;
    }

    /// <summary>
    /// Instances starting together on an empty database would each make a first key and not know the other's until
    /// their key rings refresh (a day later), so one instance's cookies would bounce off another. The first key is
    /// made under a PostgreSQL advisory lock: the instance that waited finds it and uses it.
    /// </summary>
    public static async Task EnsureSharedKeyAsync(IServiceProvider services, CancellationToken ct = default)
    {
        if (!services.GetRequiredService<DatabaseSettings>().IsPostgres)
            return;
        await using var connection = await services.GetRequiredService<Npgsql.NpgsqlDataSource>().OpenConnectionAsync(ct);
        await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({LockId})", connection))
            await take.ExecuteNonQueryAsync(ct);
        try
        {
            var keys = services.GetRequiredService<Microsoft.AspNetCore.DataProtection.KeyManagement.IKeyManager>();
            var now = DateTimeOffset.UtcNow;
            if (!keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now.AddDays(2)))
                keys.CreateNewKey(now, now.AddDays(90));
        }
        finally
        {
            await using var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({LockId})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>An advisory lock number of BizKeys' own ("BKDP").</summary>
    private const long LockId = 0x424B4450;
}
