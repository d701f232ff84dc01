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
        // The grid reads each order straight from an index (id as tie-breaker), without a sort; a deep page skips
        // index entries, not rows (ApiKeyService.QueryAsync). The default order, newest first, also carries the name
        // and what decides the status, so a name search, a status filter and its total read this index alone. An
        // identifier search is a range of (account, identifier): an index on the identifier alone would lose to the
        // account's index in the planner's eyes, which sees an average account, not one with 100,000 keys.
        builder.HasIndex(k => new { k.AccountId, k.CreatedAt, k.Id, k.NormalizedName, k.RevokedAt, k.ExpiresAt }).HasDatabaseName(GridIndexes.Created);
        builder.HasIndex(k => new { k.AccountId, k.NormalizedName, k.Id }).HasDatabaseName(GridIndexes.Name);
        builder.HasIndex(k => new { k.AccountId, k.LastUsedAt, k.Id }).HasDatabaseName(GridIndexes.LastUsed);
        builder.HasIndex(k => new { k.AccountId, k.ExpiresAt, k.Id }).HasDatabaseName(GridIndexes.Expires);
        builder.HasIndex(k => new { k.AccountId, k.Environment, k.CreatedAt, k.Id }).HasDatabaseName(GridIndexes.Environment);
        builder.HasIndex(k => new { k.AccountId, k.Key }).HasDatabaseName(GridIndexes.Key);
        // Support's "recently used keys" across every account.
        // The grid's "Show revoked (n)" and its total without revoked keys: a count over the account's revoked keys only.
        builder.HasIndex(k => new { k.AccountId, k.RevokedAt }).HasDatabaseName("IX_ApiKeys_AccountId_Revoked").HasFilter("\"RevokedAt\" IS NOT NULL");
        builder.HasIndex(k => k.LastUsedAt);
        builder.HasIndex(k => k.ExpiresAt); // the expiry notices look across every account

        builder.Property(k => k.Environment).HasMaxLength(ApiKey.EnvironmentMaxLength);
        builder.Property(k => k.SecretHash).HasMaxLength(KeyFormat.DigestLength);
        builder.Property(k => k.PreviousSecretHash).HasMaxLength(KeyFormat.DigestLength);
        // A leaked secret is found by its digest: current secrets, and previous ones of keys rotated with a grace
        // period (the look-up then keeps those whose grace still runs).
        builder.HasIndex(k => k.SecretHash);
        builder.HasIndex(k => k.PreviousSecretHash).HasFilter("\"PreviousSecretHash\" IS NOT NULL");
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

/// <summary>The keys grid's indexes by name, so that the query-plan tests can say which one each query must use.</summary>
public static class GridIndexes
{
    public const string Created = "IX_ApiKeys_Grid_Created";
    public const string Name = "IX_ApiKeys_Grid_Name";
    public const string LastUsed = "IX_ApiKeys_Grid_LastUsed";
    public const string Expires = "IX_ApiKeys_Grid_Expires";
    public const string Environment = "IX_ApiKeys_Grid_Environment";
    public const string Key = "IX_ApiKeys_Grid_Key";
}
