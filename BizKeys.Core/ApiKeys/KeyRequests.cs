namespace BizKeys.Core.ApiKeys;

/// <summary>What a person or a script fills in for a key. Mutable so that forms can bind to it.</summary>
public abstract class KeyDetailsRequest
{
    public Guid AccountId { get; set; }
    public string Name { get; set; } = "";
    public string Environment { get; set; } = "";
    public IReadOnlyCollection<string> Permissions { get; set; } = [];
    /// <summary>UTC; null means the key never expires.</summary>
    public DateTime? ExpiresAt { get; set; }
    /// <summary>IP addresses or CIDR ranges, separated by commas, spaces or new lines; empty allows any address.</summary>
    public string? IpAllowlist { get; set; }
    public int? RateLimitPerMinute { get; set; }

    /// <summary>The key being edited, excluded from the name-uniqueness check; null when creating.</summary>
    internal abstract string? ExistingKey { get; }

    internal KeyDetails ToDetails() => new(
        Name.Trim(),
        Environment,
        [.. Permissions.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
        ExpiresAt,
        IpRanges.Normalize(IpAllowlist),
        RateLimitPerMinute);
}

public sealed class CreateKeyRequest : KeyDetailsRequest
{
    internal override string? ExistingKey => null;

    /// <summary>
    /// The client's name for this create (the API's <c>Idempotency-Key</c>). A repeat finds the key the first attempt
    /// made and issues it a new secret, since the first one never reached the client.
    /// </summary>
    public string? IdempotencyKey { get; set; }
}

public sealed class UpdateKeyRequest : KeyDetailsRequest
{
    public string Key { get; set; } = "";
    /// <summary>The version the editor saw; a different stored version means someone else changed the key.</summary>
    public long? ExpectedVersion { get; set; }
    internal override string? ExistingKey => Key;

    public static UpdateKeyRequest From(ApiKeyView key, Guid accountId) => new()
    {
        AccountId = accountId,
        Key = key.Key,
        ExpectedVersion = key.Version,
        Name = key.Name,
        Environment = key.Environment,
        Permissions = [.. key.Permissions],
        ExpiresAt = key.ExpiresAt,
        IpAllowlist = string.Join('\n', key.IpAllowlist),
        RateLimitPerMinute = key.RateLimitPerMinute,
    };
}

public sealed class RotateKeyRequest
{
    public Guid AccountId { get; set; }
    public string Key { get; set; } = "";
    /// <summary>How long the old secret keeps working; 0 ends it immediately.</summary>
    public int GraceMinutes { get; set; }
    public long? ExpectedVersion { get; set; }
}

/// <summary>A key with the secret that was just issued for it. The secret exists only in this object.</summary>
public sealed record IssuedSecret(ApiKeyView Key, string Secret)
{
    /// <summary>A repeated create (same Idempotency-Key): the key is the one made before, with a new secret.</summary>
    public bool Replayed { get; init; }
}
