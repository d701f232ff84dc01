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
        if (DatabaseProviders.Parse(configuration[DatabaseProviders.SettingName]) == DatabaseProvider.Postgres)
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
}
