using BizKeys.Core.ApiKeys;
using BizKeys.Core;

namespace BizKeys.Admin.Api;

/// <summary>A key as the HTTP API shows it: never a secret, a digest or a hint.</summary>
public sealed record KeyDto(
    string Key, string Name, string Environment, IReadOnlyList<string> Permissions, DateTime? ExpiresAt,
    IReadOnlyList<string> IpAllowlist, int? RateLimitPerMinute, string Status, DateTime CreatedAt, DateTime? LastUsedAt,
    DateTime? LastRotatedAt, DateTime? PreviousSecretExpiresAt, DateTime? RevokedAt, long Version,
    DateTime? PreviousSecretLastUsedAt, long? PreviousSecretUses)
{
    /// <summary>The previous secret's use is given during a grace period only (null otherwise).</summary>
    public static KeyDto From(ApiKeyView k) => new(
        k.Key, k.Name, k.Environment, k.Permissions, k.ExpiresAt, k.IpAllowlist, k.RateLimitPerMinute, k.Status.ToString(),
        k.CreatedAt, k.LastUsedAt, k.LastRotatedAt, k.PreviousSecretExpiresAt, k.RevokedAt, k.Version,
        k.InGrace ? k.PreviousSecretLastUsedAt : null, k.InGrace ? k.PreviousSecretUses : null);
}

public sealed record KeyPageDto(IReadOnlyList<KeyDto> Items, int Page, int PageSize, int Total);

/// <summary>The secret appears in this response once and nowhere else.</summary>
public sealed record IssuedKeyDto(KeyDto Key, string Secret);

public sealed record MeDto(string Key, string Name, string Account, string Environment, IReadOnlyList<string> Permissions, DateTime? ExpiresAt);

public sealed record VerifyRequest(string? Key, string? Secret, string? Permission, string? Ip);

public sealed record VerifyResponse(bool Valid, string Code, string? Key, string? Account, string? Environment, IReadOnlyList<string>? Permissions, DateTime? ExpiresAt);

public sealed record CreateKeyBody(string? Name, string? Environment, IReadOnlyList<string>? Permissions, DateTime? ExpiresAt,
    IReadOnlyList<string>? IpAllowlist, int? RateLimitPerMinute);

/// <summary>PATCH: only the fields present change.</summary>
public sealed record UpdateKeyBody(string? Name, string? Environment, IReadOnlyList<string>? Permissions, DateTime? ExpiresAt,
    bool? NeverExpires, IReadOnlyList<string>? IpAllowlist, int? RateLimitPerMinute, bool? NoRateLimit);

public sealed record RotateBody(int? GraceMinutes);

public sealed record UsageBucketDto(DateTime Start, long Success, long Failed, IReadOnlyDictionary<string, long> Failures);

public sealed record UsageDto(string Key, string Granularity, DateTime From, DateTime To, IReadOnlyList<UsageBucketDto> Buckets);

/// <summary>
/// One recent verification of a key. Names as elsewhere in the API: outcome <c>Success</c> or <c>Failed</c>, the reason
/// as in usage buckets (<c>WrongSecret</c>), the secret that matched <c>Current</c> or <c>Previous</c> (null when none did).
/// </summary>
public sealed record RecentRequestDto(DateTime At, string Outcome, string? Reason, string? Ip, string? Permission, string? Secret)
{
    public static RecentRequestDto From(BizKeys.Core.Usage.RecentRequest r) => new(
        r.At, r.Passed ? "Success" : "Failed", r.Reason?.ToString(), r.Ip, r.Permission, r.Secret == SecretMatch.None ? null : r.Secret.ToString());
}

public sealed record RecentRequestsDto(string Key, IReadOnlyList<RecentRequestDto> Requests);
