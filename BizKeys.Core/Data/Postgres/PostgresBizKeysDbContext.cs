using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BizKeys.Core.Data.Postgres;

/// <summary>BizKeys' model on PostgreSQL, with its own migrations (Data/Migrations/Postgres).</summary>
public sealed class PostgresBizKeysDbContext(DbContextOptions<PostgresBizKeysDbContext> options) : BizKeysDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Identifiers compare byte by byte, as on SQLite: a search by the start of an identifier is a range of the
        // unique index whatever the database's own collation is.
        modelBuilder.Entity<ApiKeys.ApiKey>().Property(k => k.Key).UseCollation("C");
    }
}

/// <summary>Lets <c>dotnet ef migrations add NAME --context PostgresBizKeysDbContext</c> build the model without a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresBizKeysDbContext>
{
    public PostgresBizKeysDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresBizKeysDbContext>().UseNpgsql("Host=localhost;Database=bizkeys_design").Options);
}
