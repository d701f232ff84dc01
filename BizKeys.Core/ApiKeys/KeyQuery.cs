namespace BizKeys.Core.ApiKeys;

public enum KeySort
{
    CreatedAt,
    Name,
    Environment,
    LastUsedAt,
    ExpiresAt,
    Status,
}

/// <summary>One page of an account's keys: search by name or key, filter by status and environment.</summary>
public sealed record KeyQuery(Guid AccountId)
{
    public const int MaxPageSize = 100;

    public string? Search { get; init; }
    public ApiKeyStatus? Status { get; init; }
    public string? Environment { get; init; }
    /// <summary>Leaves revoked keys out (the owner's grid does until asked to show them).</summary>
    public bool HideRevoked { get; init; }
    /// <summary>Only active keys with this warning (one flag).</summary>
    public HygieneFlags? Hygiene { get; init; }
    public KeySort SortBy { get; init; } = KeySort.CreatedAt;
    public bool Descending { get; init; } = true;
    /// <summary>Zero-based.</summary>
    public int Page { get; init; }
    public int PageSize { get; init; } = 25;
}
