using BizKeys.Core.Verification;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class RateWindowConfiguration : IEntityTypeConfiguration<RateWindow>
{
    public void Configure(EntityTypeBuilder<RateWindow> builder)
    {
        builder.HasKey(w => new { w.KeyId, w.WindowStart });
        builder.HasIndex(w => w.WindowStart); // forgetting old minutes
    }
}
