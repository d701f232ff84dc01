using BizKeys.Core.Access;
using BizKeys.Core.Accounts;
using BizKeys.Core.Audit;
using BizKeys.Core.Data;
using BizKeys.Core.Verification;
using FluentValidation.Results;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace BizKeys.Core.ApiKeys;

/// <summary>
/// The whole lifecycle of API keys: create, edit, rotate, revoke, look up and list. Every call names its actor;
/// <see cref="AccountAccess"/> decides what that actor may do, and every change is audited in the same save.
/// </summary>
public sealed partial class ApiKeyService(
    IDbContextFactory<BizKeysDbContext> dbFactory,
    AccountAccess access,
    KeyChanges changes,
    KeyIdentifiers identifiers,
    IValidator<CreateKeyRequest> createValidator,
    IValidator<UpdateKeyRequest> updateValidator,
    IValidator<RotateKeyRequest> rotateValidator,
    TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Configuration.BizKeysOptions> options,
    IEnumerable<IKeySaveParticipant> participants,
    ILogger<ApiKeyService> logger)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Creates a key and returns its secret: the only time the secret exists outside the caller's hands.</summary>
    public async Task<IssuedSecret> CreateAsync(CreateKeyRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, request.AccountId, AccountNeed.ManageKeys, ct);
        if (await ReplayAsync(request, actor, ct) is { } replayed)
            return replayed;
        try
        {
            return await CreateNewAsync(request, actor, ct);
        }
        catch (ValidationException) when (request.IdempotencyKey is not null)
        {
            // The same create, sent twice at once: the first one made the key (or the name was really taken).
            if (await ReplayAsync(request, actor, ct) is { } raced)
                return raced;
            throw;
        }
    }

    /// <summary>
    /// A create repeated with the same Idempotency-Key (its answer was lost): the key the first attempt made gets a new
    /// secret, since the first one never reached the client; no second key is made.
    /// </summary>
    private async Task<IssuedSecret?> ReplayAsync(CreateKeyRequest request, Actor actor, CancellationToken ct)
    {
        if (request.IdempotencyKey is not { } idempotencyKey)
            return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var earlier = await db.ApiKeys.AsNoTracking()
            .SingleOrDefaultAsync(k => k.AccountId == request.AccountId && k.IdempotencyKey == idempotencyKey, ct);
        if (earlier is null)
            return null;
        // The same create means the same request, and soon: a key reused for another key, or days later, is refused
        // rather than silently reissuing a live secret.
        if (earlier.IdempotencyFingerprint != Fingerprint(request) || Now - earlier.CreatedAt > IdempotencyWindow)
            throw new IdempotencyMismatchException(idempotencyKey);
        if (earlier.RevokedAt is not null)
            throw new ApiKeyStateException($"The key this Idempotency-Key created, {earlier.Key}, is revoked; create a new key with a new Idempotency-Key.");
        // Several retries at once each reissue in turn: the last answer holds the secret that works.
        var reissued = await UntilNoConflictAsync(() =>
            RotateAsync(new RotateKeyRequest { AccountId = request.AccountId, Key = earlier.Key, GraceMinutes = 0 }, actor, ct));
        return reissued with { Replayed = true };
    }

    /// <summary>How long an Idempotency-Key names its create.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    /// <summary>A digest of everything the create asked for, so a repeat can be told from a different request.</summary>
    private static string Fingerprint(CreateKeyRequest request)
    {
        var details = request.ToDetails();
        var text = string.Join('\n', ApiKey.Normalize(details.Name), details.Environment, string.Join(',', details.Permissions),
            details.ExpiresAt?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "", string.Join(',', details.IpAllowlist),
            details.RateLimitPerMinute?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    private async Task<IssuedSecret> CreateNewAsync(CreateKeyRequest request, Actor actor, CancellationToken ct)
    {
        await createValidator.ValidateAndThrowAsync(request, ct);
        RequireWithinActor(actor, request.ToDetails().Limits(), "create that key: it");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var secret = KeyFormat.NewSecret();
        var key = ApiKey.Create(request.AccountId, request.ToDetails(), identifiers.New(), secret, Now, actor,
            request.IdempotencyKey, request.IdempotencyKey is null ? null : Fingerprint(request));
        db.ApiKeys.Add(key);
        Audit(db, key, actor, AuditActions.KeyCreated, KeyAuditSummary.Describe(key));
        await using (var transaction = await db.Database.BeginTransactionAsync(ct))
        {
            var line = await SaveAsync(db, key, ct);
            await db.Accounts.Where(a => a.Id == key.AccountId)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.KeyCount, x => x.KeyCount + 1), ct);
            await transaction.CommitAsync(ct);
            changes.Committed(line);
        }
        LogCreated(key.Key, key.AccountId, actor.Name);
        return new IssuedSecret(ApiKeyView.From(key, Now), secret);
    }

    public async Task<ApiKeyView> UpdateAsync(UpdateKeyRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, request.AccountId, AccountNeed.ManageKeys, ct);
        await updateValidator.ValidateAndThrowAsync(request, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await FindAsync(db, request.AccountId, request.Key, request.ExpectedVersion, ct);
        RequireTargetWithinActor(actor, key, "change");
        var details = request.ToDetails();
        RequireWithinActor(actor, details.Limits(), $"make that change: {key.Key} then");
        var before = KeyAuditSummary.Fields(key);
        var expiredBefore = key.ExpiresAt;
        key.Update(details, Now);
        if (key.ExpiresAt != expiredBefore)
            await ParticipateAsync(db, key, KeyChange.ExpiryChanged, actor, ct);
        Audit(db, key, actor, AuditActions.KeyUpdated, KeyAuditSummary.Diff(before, KeyAuditSummary.Fields(key)));
        await SaveAsync(db, key, ct);
        LogUpdated(key.Key, actor.Name);
        return ApiKeyView.From(key, Now);
    }

    /// <summary>Issues a new secret; the old one keeps working for the grace period. Returns the new secret once.</summary>
    public async Task<IssuedSecret> RotateAsync(RotateKeyRequest request, Actor actor, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, request.AccountId, AccountNeed.ManageKeys, ct);
        await rotateValidator.ValidateAndThrowAsync(request, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await FindAsync(db, request.AccountId, request.Key, request.ExpectedVersion, ct);
        RequireTargetWithinActor(actor, key, "rotate");
        var secret = KeyFormat.NewSecret();
        key.Rotate(secret, TimeSpan.FromMinutes(request.GraceMinutes), Now);
        Audit(db, key, actor, AuditActions.KeyRotated, request.GraceMinutes == 0
            ? "Old secret ended immediately"
            : $"Old secret valid for {request.GraceMinutes} more minutes, until {key.PreviousSecretExpiresAt:yyyy-MM-dd HH:mm} UTC");
        await ParticipateAsync(db, key, KeyChange.Rotated, actor, ct);
        await SaveAsync(db, key, ct);
        LogRotated(key.Key, request.GraceMinutes, actor.Name);
        return new IssuedSecret(ApiKeyView.From(key, Now), secret);
    }

    /// <summary>Ends a rotation's grace period now: the previous secret stops working (a key may not do this to a stronger key).</summary>
    public async Task<ApiKeyView> EndRotationAsync(Guid accountId, string keyId, Actor actor, long? expectedVersion = null, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageKeys, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await FindAsync(db, accountId, keyId, expectedVersion, ct);
        RequireTargetWithinActor(actor, key, "end the rotation of");
        var uses = key.PreviousSecretUses;
        key.EndPreviousSecret(Now);
        Audit(db, key, actor, AuditActions.KeyRotationEnded, $"Old secret ended early; it had served {uses:N0} requests since the rotation");
        await SaveAsync(db, key, ct);
        LogRotationEnded(key.Key, actor.Name);
        return ApiKeyView.From(key, Now);
    }

    /// <summary>Gives a rotation's previous secret one of the offered grace periods more, counted from now.</summary>
    public async Task<ApiKeyView> ExtendGraceAsync(Guid accountId, string keyId, int graceMinutes, Actor actor, long? expectedVersion = null, CancellationToken ct = default)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageKeys, ct);
        var offered = options.Value.RotationGraceMinutes.Where(m => m > 0).Order().ToList();
        if (!offered.Contains(graceMinutes))
            throw new ValidationException([new ValidationFailure("GraceMinutes", $"Choose one of the offered grace periods: {string.Join(", ", offered)} minutes.")]);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await FindAsync(db, accountId, keyId, expectedVersion, ct);
        RequireTargetWithinActor(actor, key, "extend the grace period of");
        if (key.HasPreviousSecretAt(Now) && key.PreviousSecretExpiresAt >= Now.AddMinutes(graceMinutes))
            throw new ValidationException([new ValidationFailure("GraceMinutes",
                $"The old secret already works until {key.PreviousSecretExpiresAt:yyyy-MM-dd HH:mm} UTC: choose a longer period, or end it now.")]);
        key.ExtendGrace(TimeSpan.FromMinutes(graceMinutes), Now);
        Audit(db, key, actor, AuditActions.KeyGraceExtended, $"Old secret valid until {key.PreviousSecretExpiresAt:yyyy-MM-dd HH:mm} UTC ({graceMinutes} minutes from now)");
        await SaveAsync(db, key, ct);
        return ApiKeyView.From(key, Now);
    }

    /// <summary>
    /// Revokes at once. Without an expected version a revocation wins over a change made at the same moment (a
    /// rotation, an edit): it reads the key again and revokes that — revoking is never refused for being late.
    /// </summary>
    public Task<ApiKeyView> RevokeAsync(Guid accountId, string keyId, Actor actor, long? expectedVersion = null, CancellationToken ct = default) =>
        expectedVersion is null
            ? UntilNoConflictAsync(() => RevokeOnceAsync(accountId, keyId, actor, null, ct))
            : RevokeOnceAsync(accountId, keyId, actor, expectedVersion, ct);

    private static async Task<T> UntilNoConflictAsync<T>(Func<Task<T>> attempt)
    {
        for (var tries = 1; ; tries++)
        {
            try
            {
                return await attempt();
            }
            catch (ConcurrencyConflictException) when (tries < 10)
            {
            }
        }
    }

    private async Task<ApiKeyView> RevokeOnceAsync(Guid accountId, string keyId, Actor actor, long? expectedVersion, CancellationToken ct)
    {
        await access.RequireAsync(actor, accountId, AccountNeed.ManageKeys, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var key = await FindAsync(db, accountId, keyId, expectedVersion, ct);
        RequireTargetWithinActor(actor, key, "revoke");
        key.Revoke(Now, actor);
        Audit(db, key, actor, AuditActions.KeyRevoked, $"Revoked \"{key.Name}\"");
        await ParticipateAsync(db, key, KeyChange.Revoked, actor, ct);
        await SaveAsync(db, key, ct);
        LogRevoked(key.Key, actor.Name);
        return ApiKeyView.From(key, Now);
    }

    /// <summary>
    /// Revokes the key whose secret was reported as leaked (whoever holds a leaked secret may have it revoked), audited
    /// as such, with a notice for its owners. A key revoked already stays as it was.
    /// </summary>
    internal Task<(ApiKeyView Key, Guid AccountId, bool RevokedNow)> RevokeLeakedAsync(Guid id, Actor reporter, CancellationToken ct) =>
        UntilNoConflictAsync(async () =>
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var key = await db.ApiKeys.SingleAsync(k => k.Id == id, ct);
            if (key.RevokedAt is not null)
                return (ApiKeyView.From(key, Now), key.AccountId, false);
            key.Revoke(Now, reporter);
            Audit(db, key, reporter, AuditActions.KeyRevoked, "Revoked: secret reported as leaked");
            await ParticipateAsync(db, key, KeyChange.RevokedAsLeaked, reporter, ct);
            await SaveAsync(db, key, ct);
            return (ApiKeyView.From(key, Now), key.AccountId, true);
        });

    /// <summary>Lets every registered feature add to this save (notifications, leak notices).</summary>
    private async Task ParticipateAsync(BizKeysDbContext db, ApiKey key, KeyChange change, Actor actor, CancellationToken ct)
    {
        foreach (var participant in participants)
            await participant.OnSavingAsync(db, key, change, actor, Now, ct);
    }

    private void Audit(BizKeysDbContext db, ApiKey key, Actor actor, string action, string summary) =>
        db.AuditEntries.Add(AuditEntry.Create(key.AccountId, actor, action, key.Key, summary, Now));

    private static async Task<ApiKey> FindAsync(BizKeysDbContext db, Guid accountId, string keyId, long? expectedVersion, CancellationToken ct)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Key == keyId && k.AccountId == accountId, ct)
            ?? throw new ApiKeyNotFoundException(keyId);
        if (expectedVersion is { } expected && key.Version != expected)
            throw new ConcurrencyConflictException(keyId);
        return key;
    }

    private async Task<KeyChangeEntry> SaveAsync(BizKeysDbContext db, ApiKey key, CancellationToken ct)
    {
        try
        {
            // The next verification sees the change, here and on every other instance: revocation and rotation take
            // effect at once.
            return await changes.SaveAsync(db, key, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConcurrencyConflictException(key.Key);
        }
        catch (DbUpdateException)
        {
            // Two saves raced past the validator with the same name; the unique index kept one.
            if (await NameTakenAsync(db, key, ct))
                throw new ValidationException([new ValidationFailure(nameof(KeyDetailsRequest.Name),
                    $"Another key in this account is already named \"{key.Name}\".")]);
            throw;
        }
    }

    private static async Task<bool> NameTakenAsync(BizKeysDbContext db, ApiKey key, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return await db.ApiKeys.AnyAsync(k => k.AccountId == key.AccountId && k.RevokedAt == null &&
            k.NormalizedName == key.NormalizedName && k.Id != key.Id, ct);
    }
}
