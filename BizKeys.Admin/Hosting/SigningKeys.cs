using BizKeys.Core;
using BizKeys.Core.Data;
using Microsoft.AspNetCore.DataProtection;

namespace BizKeys.Admin.Hosting;

/// <summary>
/// The keys that sign sign-in cookies and antiforgery tokens live with the data, in <c>keys/</c> beside the database
/// (owner-only), not in the user profile: backing up the data folder keeps people signed in after a restore, and
/// nobody else on the machine can read them.
/// </summary>
public static class SigningKeys
{
    public static IServiceCollection AddBizKeysSigningKeys(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DependencyInjection.ConnectionStringName) ?? "";
        var dataDirectory = SqliteConnectionStrings.DirectoryOf(connectionString, ProductPaths.BaseDirectory);
        var protection = services.AddDataProtection().SetApplicationName("BizKeys");
        if (dataDirectory is not null)
            protection.PersistKeysToFileSystem(new DirectoryInfo(PrivateDirectory.Create(Path.Combine(dataDirectory, "keys"))));
        return services;
    }
}
