using BizKeys.Core.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<BizKeysUser>
{
    public void Configure(EntityTypeBuilder<BizKeysUser> builder) =>
        builder.HasIndex(u => u.NormalizedEmail).IsUnique();
}
