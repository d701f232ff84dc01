using BizKeys.Core.Accounts;
using BizKeys.Core.Members;
using BizKeys.Core.Users;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore;

namespace BizKeys.Core.Data.Configurations;

internal sealed class InvitationConfiguration : IEntityTypeConfiguration<Invitation>
{
    public void Configure(EntityTypeBuilder<Invitation> builder)
    {
        builder.Property(i => i.Id).ValueGeneratedNever();
        builder.HasOne<Account>().WithMany().HasForeignKey(i => i.AccountId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(i => i.Email).HasMaxLength(BizKeysUser.EmailMaxLength);
        builder.Property(i => i.NormalizedEmail).HasMaxLength(BizKeysUser.EmailMaxLength);
        builder.Property(i => i.InvitedBy).HasMaxLength(ApiKeys.ApiKey.ActorMaxLength);
        // One open invitation per person and account; the person's open invitations at sign-in.
        builder.HasIndex(i => new { i.AccountId, i.NormalizedEmail }).IsUnique().HasFilter("\"AnsweredAt\" IS NULL");
        builder.HasIndex(i => i.NormalizedEmail);
        builder.Ignore(i => i.IsPending);
    }
}
