namespace BizKeys.Core.ApiKeys;

/// <summary>
/// An API key of one account. It never holds a secret, only SHA-256 digests of at most two:
/// the current one and, during a rotation's grace period, the previous one.
/// </summary>
public sealed class ApiKey
{
    public const int NameMaxLength = 64;
    public const int EnvironmentMaxLength = Configuration.BizKeysOptions.EnvironmentMaxLength;
    public const int ActorMaxLength = 256;
    public const int IpMaxLength = Actor.IpMaxLength;
    public const int IpAllowlistMaxEntries = 50;
    public const int RateLimitMin = 1;
    public const int RateLimitMax = 100_000;

    private ApiKey()
    {
    }

    public Guid Id { get; private set; }
    public Guid AccountId { get; private set; }
    public string Key { get; private set; } = "";
    public string Name { get; private set; } = "";
    /// <summary>Upper-case invariant form of the name: case-insensitive uniqueness and search in SQL.</summary>
    public string NormalizedName { get; private set; } = "";
    public string Environment { get; private set; } = "";
    public List<string> Permissions { get; private set; } = [];
    public DateTime? ExpiresAt { get; private set; }
    public List<string> IpAllowlist { get; private set; } = [];
    public int? RateLimitPerMinute { get; private set; }

    public byte[] SecretHash { get; private set; } = [];
    public string SecretHint { get; private set; } = "";
    public byte[]? PreviousSecretHash { get; private set; }
    public DateTime? PreviousSecretExpiresAt { get; private set; }
    /// <summary>Requests the previous secret served since the last rotation (written with usage, a few seconds behind).</summary>
    public long PreviousSecretUses { get; private set; }
    public DateTime? PreviousSecretLastUsedAt { get; private set; }

    public DateTime CreatedAt { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime UpdatedAt { get; private set; }
    public DateTime? LastRotatedAt { get; private set; }
    public DateTime? LastUsedAt { get; private set; }
    public string? LastUsedIp { get; private set; }
    public DateTime? RevokedAt { get; private set; }
    public string? RevokedBy { get; private set; }

    public const int IdempotencyKeyMaxLength = 64;

    /// <summary>The client's <c>Idempotency-Key</c> of the create that made this key: a retried create finds it.</summary>
    public string? IdempotencyKey { get; private set; }

    /// <summary>A digest of what that create asked for: a repeat must ask for the same.</summary>
    public string? IdempotencyFingerprint { get; private set; }

    /// <summary>Issued before identifiers carried a tag (<see cref="KeyIdentifiers"/>): remembered by value.</summary>
    public bool UntaggedId { get; private set; }

    /// <summary>Application-managed concurrency token: bumped by every change.</summary>
    public long Version { get; private set; }

    public static ApiKey Create(Guid accountId, KeyDetails details, string key, string secret, DateTime now, Actor actor,
        string? idempotencyKey = null, string? idempotencyFingerprint = null)
    {
        var apiKey = new ApiKey
        {
            IdempotencyKey = idempotencyKey,
            IdempotencyFingerprint = idempotencyFingerprint,
            Id = Guid.CreateVersion7(),
            AccountId = accountId,
            Key = key,
            SecretHash = KeyFormat.Digest(secret),
            SecretHint = KeyFormat.Hint(secret),
            CreatedAt = now,
            CreatedBy = actor.Name,
            Version = 1,
        };
        apiKey.Apply(details, now);
        return apiKey;
    }

    public static string Normalize(string name) => name.Trim().ToUpperInvariant();

    public ApiKeyStatus StatusAt(DateTime now) => KeyStatus.At(RevokedAt, ExpiresAt, now);

    public bool HasPreviousSecretAt(DateTime now) =>
        PreviousSecretHash is not null && PreviousSecretExpiresAt is { } until && until > now;

    public void Update(KeyDetails details, DateTime now)
    {
        EnsureNotRevoked("edited");
        Apply(details, now);
        Version++;
    }

    /// <summary>
    /// Replaces the secret. The old one stays valid for <paramref name="grace"/>; a secret still in an
    /// earlier grace period ends at once, so a key never has more than two valid secrets. Expiry is kept.
    /// </summary>
    public void Rotate(string newSecret, TimeSpan grace, DateTime now)
    {
        EnsureNotRevoked("rotated");
        if (StatusAt(now) == ApiKeyStatus.Expired)
            throw new ApiKeyStateException($"Key {Key} has expired. Set a new expiry date before rotating its secret.");

        if (grace > TimeSpan.Zero)
        {
            PreviousSecretHash = SecretHash;
            PreviousSecretExpiresAt = now + grace;
        }
        else
        {
            PreviousSecretHash = null;
            PreviousSecretExpiresAt = null;
        }
        SecretHash = KeyFormat.Digest(newSecret);
        SecretHint = KeyFormat.Hint(newSecret);
        PreviousSecretUses = 0;
        PreviousSecretLastUsedAt = null;
        LastRotatedAt = now;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>Ends a rotation's grace period now: only the new secret works from here on.</summary>
    public void EndPreviousSecret(DateTime now)
    {
        EnsureInGrace(now);
        PreviousSecretHash = null;
        PreviousSecretExpiresAt = null;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>Gives the previous secret <paramref name="grace"/> more, counted from now.</summary>
    public void ExtendGrace(TimeSpan grace, DateTime now)
    {
        EnsureInGrace(now);
        PreviousSecretExpiresAt = now + grace;
        UpdatedAt = now;
        Version++;
    }

    private void EnsureInGrace(DateTime now)
    {
        EnsureNotRevoked("changed");
        if (!HasPreviousSecretAt(now))
            throw new ApiKeyStateException($"Key {Key} has no old secret in a grace period: there is no rotation to finish.");
    }

    /// <summary>Revocation is immediate and final.</summary>
    public void Revoke(DateTime now, Actor actor)
    {
        EnsureNotRevoked("revoked again");
        RevokedAt = now;
        RevokedBy = actor.Name;
        PreviousSecretHash = null;
        PreviousSecretExpiresAt = null;
        UpdatedAt = now;
        Version++;
    }

    private void Apply(KeyDetails details, DateTime now)
    {
        Name = details.Name.Trim();
        NormalizedName = Normalize(details.Name);
        Environment = details.Environment;
        Permissions = [.. details.Permissions];
        ExpiresAt = details.ExpiresAt;
        IpAllowlist = [.. details.IpAllowlist];
        RateLimitPerMinute = details.RateLimitPerMinute;
        UpdatedAt = now;
    }

    private void EnsureNotRevoked(string what)
    {
        if (RevokedAt is not null)
            throw new ApiKeyStateException($"Key {Key} is revoked and can't be {what}.");
    }
}
