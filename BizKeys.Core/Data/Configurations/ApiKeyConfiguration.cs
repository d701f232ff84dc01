using BizKeys.Core.Accounts;
using BizKeys.Core.ApiKeys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace BizKeys.Core.Data.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.HasOne<Account>().WithMany().HasForeignKey(k => k.AccountId).OnDelete(DeleteBehavior.Restrict);

        builder.Property(k => k.Key).HasMaxLength(KeyFormat.KeyLength).IsUnicode(false);
        builder.HasIndex(k => k.Key).IsUnique();

        builder.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength);
        builder.Property(k => k.NormalizedName).HasMaxLength(ApiKey.NameMaxLength);
        // Names are unique among an account's keys that are not revoked; the validator says so
        // first, this index settles a race between two saves.
        builder.HasIndex(k => new { k.AccountId, k.NormalizedName }).IsUnique().HasFilter("\"RevokedAt\" IS NULL");
        // The grid's default order (newest first, id as tie-breaker) straight from the index, without a sort.
        builder.HasIndex(k => new { k.AccountId, k.CreatedAt, k.Id });
        // Support's "recently used keys" across every account.
        builder.HasIndex(k => k.LastUsedAt);

        builder.Property(k => k.Environment).HasMaxLength(ApiKey.EnvironmentMaxLength);
        builder.Property(k => k.SecretHash).HasMaxLength(KeyFormat.DigestLength);
        builder.Property(k => k.PreviousSecretHash).HasMaxLength(KeyFormat.DigestLength);
        builder.Property(k => k.SecretHint).HasMaxLength(KeyFormat.HintLength);
        builder.Property(k => k.CreatedBy).HasMaxLength(ApiKey.ActorMaxLength);
        builder.Property(k => k.RevokedBy).HasMaxLength(ApiKey.ActorMaxLength);
        builder.Property(k => k.LastUsedIp).HasMaxLength(ApiKey.IpMaxLength);

        builder.Property(k => k.Version).IsConcurrencyToken();

        // Start-up loads the identifiers issued before tags: from this small index, not a scan of every key.
        builder.HasIndex(k => k.UntaggedId).HasFilter("\"UntaggedId\"");

        // A retried create with the same Idempotency-Key finds the key the first attempt made, even when both race.
        builder.Property(k => k.IdempotencyKey).HasMaxLength(ApiKey.IdempotencyKeyMaxLength);
        builder.Property(k => k.IdempotencyFingerprint).HasMaxLength(64).IsUnicode(false);
        builder.HasIndex(k => new { k.AccountId, k.IdempotencyKey }).IsUnique().HasFilter("\"IdempotencyKey\" IS NOT NULL");
    }
}
