namespace BizKeys.AspNetCore.Remote;

// The wire protocol between BizKeys and a service in Remote mode, under /api/v1/verification (keys:verify). A
// service sees the keys of its own key's account, or of every account when that account is one of
// BizKeys:Verification:PlatformAccounts.

/// <summary>Body of <c>POST /api/v1/verification/keys</c>: the pair a client presented to the service.</summary>
public sealed record RemoteKeyRequest(string Key, string Secret);

/// <summary>
/// The key as verification needs it. The digests (base64 SHA-256) are sent only when the presented secret is one of
/// the key's: the service then verifies that key in memory until it changes.
/// </summary>
public sealed record RemoteKey(
    Guid Id, Guid AccountId, string Account, string Key, string Name, string Environment, string[] Permissions,
    DateTime? ExpiresAt, string[] IpAllowlist, int? RateLimitPerMinute, DateTime? RevokedAt,
    string? SecretHash, string? PreviousSecretHash, DateTime? PreviousSecretExpiresAt);

/// <summary>Answer of <c>POST /api/v1/verification/keys</c>: <see cref="Key"/> is null when no such key is visible.</summary>
public sealed record RemoteKeyAnswer(RemoteKey? Key);

/// <summary>One line of the key-change log: the key changed (revoked, rotated, edited, …); read it again.</summary>
public sealed record RemoteChange(long Seq, string Key);

/// <summary>
/// Answer of <c>GET /api/v1/verification/changes?after=N&amp;waitSeconds=S</c>: the changes after line N (waiting up to S
/// seconds for one), and the line to ask after next time. Without <c>after</c>: where the log stands now.
/// </summary>
public sealed record RemoteChanges(long Last, RemoteChange[] Changes);

/// <summary>Requests counted per key and clock hour: successes, and failures by reason name.</summary>
public sealed record RemoteBucket(Guid KeyId, DateTime Hour, long Success, Dictionary<string, long> Failures);

/// <summary>A key's latest use and the address it came from.</summary>
public sealed record RemoteLastUse(Guid KeyId, DateTime At, string? Ip);

/// <summary>A sampled request, for the key's recent requests (<see cref="Reason"/> null when it passed).</summary>
public sealed record RemoteRequest(Guid KeyId, DateTime At, string? Reason, string? Ip, string? Permission, string Secret);

/// <summary>A sampled failed attempt, for the key's recent failures.</summary>
public sealed record RemoteFailure(Guid KeyId, DateTime At, string Reason, string? Ip);

/// <summary>Uses of a key's previous secret during a rotation's grace period.</summary>
public sealed record RemotePreviousUse(Guid KeyId, long Count, DateTime First, DateTime At);

/// <summary>Body of <c>POST /api/v1/verification/usage</c>: what the service counted since its last report.</summary>
public sealed record RemoteUsageReport(RemoteBucket[] Buckets, RemoteLastUse[] LastUses, RemoteFailure[] Failures, RemoteRequest[] Requests, RemotePreviousUse[] PreviousSecretUses)
{
    /// <summary>The most rows of each kind one report may carry (a service reports every few seconds).</summary>
    public const int MaxRows = 20_000;
}

/// <summary>Answer of <c>POST /api/v1/verification/usage</c>.</summary>
public sealed record RemoteUsageAnswer(int Accepted, int Ignored);
