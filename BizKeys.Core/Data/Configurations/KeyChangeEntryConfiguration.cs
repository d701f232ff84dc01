using BizKeys.Core.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class KeyChangeEntryConfiguration : IEntityTypeConfiguration<KeyChangeEntry>
{
    public void Configure(EntityTypeBuilder<KeyChangeEntry> builder)
    {
        builder.ToTable("KeyChangeLog");
        builder.HasKey(c => c.Seq);
        builder.Property(c => c.Seq).ValueGeneratedOnAdd();
        builder.Property(c => c.Key).HasMaxLength(64);
        builder.HasIndex(c => c.At); // pruning
    }
}
