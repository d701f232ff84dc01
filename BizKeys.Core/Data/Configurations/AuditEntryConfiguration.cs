using BizKeys.Core.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Actor).HasMaxLength(AuditEntry.ActorMaxLength);
        builder.Property(a => a.Action).HasMaxLength(AuditEntry.ActionMaxLength);
        builder.Property(a => a.Target).HasMaxLength(AuditEntry.TargetMaxLength);
        builder.Property(a => a.Summary).HasMaxLength(AuditEntry.SummaryMaxLength);
        builder.Property(a => a.Ip).HasMaxLength(Actor.IpMaxLength);
        builder.HasIndex(a => new { a.AccountId, a.At });
        builder.HasIndex(a => new { a.AccountId, a.Target });
    }
}
