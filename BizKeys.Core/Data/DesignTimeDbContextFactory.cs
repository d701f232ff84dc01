using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BizKeys.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the app.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<BizKeysDbContext>
{
    public BizKeysDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<BizKeysDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
