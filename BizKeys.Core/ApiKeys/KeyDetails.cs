namespace BizKeys.Core.ApiKeys;

/// <summary>The editable settings of a key, already validated and normalised.</summary>
public sealed record KeyDetails(
    string Name,
    string Environment,
    IReadOnlyList<string> Permissions,
    DateTime? ExpiresAt,
    IReadOnlyList<string> IpAllowlist,
    int? RateLimitPerMinute);
