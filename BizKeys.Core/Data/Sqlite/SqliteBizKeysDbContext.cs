using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BizKeys.Core.Data.Sqlite;

/// <summary>BizKeys' model on SQLite, with its own migrations (Data/Migrations/Sqlite).</summary>
public sealed class SqliteBizKeysDbContext(DbContextOptions<SqliteBizKeysDbContext> options) : BizKeysDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add NAME --context SqliteBizKeysDbContext</c> build the model without the app.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteBizKeysDbContext>
{
    public SqliteBizKeysDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteBizKeysDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
