using BizKeys.Core.ApiKeys;

namespace BizKeys.Core.Verification;

public enum VerificationOutcome
{
    Valid,
    /// <summary>Unknown, wrong, expired, revoked, malformed or from an address outside the allowlist: all look alike.</summary>
    Invalid,
    /// <summary>A valid pair without the permission asked for.</summary>
    Forbidden,
    RateLimited,
}

/// <summary>The verdict on one presented pair. <see cref="Key"/> is set whenever the key id exists, even on failure.</summary>
public sealed record VerificationResult(VerificationOutcome Outcome, FailureReason? Reason, VerifiedKey? Key, TimeSpan? RetryAfter = null, string? MissingPermission = null)
{
    public bool IsValid => Outcome == VerificationOutcome.Valid;

    /// <summary>Which of the key's secrets the presented one is (current, or the previous one during its grace).</summary>
    public SecretMatch Matched { get; init; }

    public string Code => Outcome switch
    {
        VerificationOutcome.Valid => "VALID",
        VerificationOutcome.Forbidden => "FORBIDDEN",
        VerificationOutcome.RateLimited => "RATE_LIMITED",
        _ => "INVALID",
    };
}
