using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BizKeys.Core.Data.Postgres;

/// <summary>BizKeys' model on PostgreSQL, with its own migrations (Data/Migrations/Postgres).</summary>
public sealed class PostgresBizKeysDbContext(DbContextOptions<PostgresBizKeysDbContext> options) : BizKeysDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add NAME --context PostgresBizKeysDbContext</c> build the model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresBizKeysDbContext>
{
    public PostgresBizKeysDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresBizKeysDbContext>().UseNpgsql("Host=localhost;Database=bizkeys_design").Options);
}
