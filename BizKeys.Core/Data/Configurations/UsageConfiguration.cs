using BizKeys.Core.ApiKeys;
using BizKeys.Core.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class UsageBucketConfiguration : IEntityTypeConfiguration<UsageBucket>
{
    public void Configure(EntityTypeBuilder<UsageBucket> builder)
    {
        builder.HasKey(b => new { b.KeyId, b.HourStart });
        builder.HasIndex(b => b.HourStart);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(b => b.KeyId).OnDelete(DeleteBehavior.Cascade);
        builder.Ignore(b => b.Failed);
    }
}

internal sealed class KeyFailureConfiguration : IEntityTypeConfiguration<KeyFailure>
{
    public void Configure(EntityTypeBuilder<KeyFailure> builder)
    {
        builder.HasIndex(f => new { f.KeyId, f.At });
        builder.HasIndex(f => f.At);
        builder.Property(f => f.Reason).HasConversion<string>().HasMaxLength(KeyFailure.ReasonMaxLength);
        builder.Property(f => f.Ip).HasMaxLength(ApiKey.IpMaxLength);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(f => f.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class KeyRequestConfiguration : IEntityTypeConfiguration<KeyRequest>
{
    public void Configure(EntityTypeBuilder<KeyRequest> builder)
    {
        // The key's page reads its newest; the trim keeps the newest by id.
        builder.HasIndex(r => new { r.KeyId, r.At, r.Id });
        builder.HasIndex(r => new { r.KeyId, r.Id });
        builder.HasIndex(r => r.At);
        builder.Property(r => r.Reason).HasConversion<string>().HasMaxLength(KeyFailure.ReasonMaxLength);
        builder.Property(r => r.Secret).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Ip).HasMaxLength(ApiKey.IpMaxLength);
        builder.Property(r => r.Permission).HasMaxLength(KeyRequest.PermissionMaxLength);
        builder.HasOne<ApiKey>().WithMany().HasForeignKey(r => r.KeyId).OnDelete(DeleteBehavior.Cascade);
    }
}
