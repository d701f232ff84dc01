using BizKeys.Core.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class SupportGrantConfiguration : IEntityTypeConfiguration<SupportGrant>
{
    public void Configure(EntityTypeBuilder<SupportGrant> builder)
    {
        builder.Property(g => g.Email).HasMaxLength(SupportGrant.EmailMaxLength);
        builder.Property(g => g.Reason).HasMaxLength(OpenAccountRequest.ReasonMaxLength);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(g => g.AccountId).OnDelete(DeleteBehavior.Cascade);
        // Every support read asks "does this person hold a live grant for this account?"
        builder.HasIndex(g => new { g.AccountId, g.UserId, g.ExpiresAt });
        builder.HasIndex(g => new { g.AccountId, g.GrantedAt });
    }
}

internal sealed class SupportLogEntryConfiguration : IEntityTypeConfiguration<SupportLogEntry>
{
    public void Configure(EntityTypeBuilder<SupportLogEntry> builder)
    {
        builder.ToTable("SupportLog");
        builder.Property(e => e.Actor).HasMaxLength(SupportLogEntry.ActorMaxLength);
        builder.Property(e => e.Action).HasMaxLength(SupportLogEntry.ActionMaxLength);
        builder.Property(e => e.Detail).HasMaxLength(SupportLogEntry.DetailMaxLength);
        builder.Property(e => e.Ip).HasMaxLength(Actor.IpMaxLength);
        builder.HasIndex(e => e.At);
    }
}

internal sealed class LeakNoticeConfiguration : IEntityTypeConfiguration<Leaks.LeakNotice>
{
    public void Configure(EntityTypeBuilder<Leaks.LeakNotice> builder)
    {
        builder.Property(n => n.Key).HasMaxLength(ApiKeys.KeyFormat.KeyLength).IsUnicode(false);
        builder.Property(n => n.KeyName).HasMaxLength(ApiKeys.ApiKey.NameMaxLength);
        builder.Property(n => n.AcknowledgedBy).HasMaxLength(ApiKeys.ApiKey.ActorMaxLength);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(n => n.AccountId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(n => new { n.AccountId, n.AcknowledgedAt });
    }
}
