using BizKeys.Core.Verification;

namespace BizKeys.Core.Usage;

/// <summary>One key's verifications in one clock hour (UTC): successes and failures by reason.</summary>
public sealed class UsageBucket
{
    public Guid KeyId { get; set; }
    public DateTime HourStart { get; set; }
    public long Success { get; set; }
    public long Malformed { get; set; }
    public long WrongSecret { get; set; }
    public long Expired { get; set; }
    public long Revoked { get; set; }
    public long IpNotAllowed { get; set; }
    public long RateLimited { get; set; }
    public long MissingPermission { get; set; }

    public long Failed => Malformed + WrongSecret + Expired + Revoked + IpNotAllowed + RateLimited + MissingPermission;

    public void Add(long success, ReadOnlySpan<long> failures)
    {
        Success += success;
        Malformed += failures[(int)FailureReason.Malformed];
        WrongSecret += failures[(int)FailureReason.WrongSecret];
        Expired += failures[(int)FailureReason.Expired];
        Revoked += failures[(int)FailureReason.Revoked];
        IpNotAllowed += failures[(int)FailureReason.IpNotAllowed];
        RateLimited += failures[(int)FailureReason.RateLimited];
        MissingPermission += failures[(int)FailureReason.MissingPermission];
    }
}

/// <summary>A recent failed attempt, kept so owners can see what went wrong and from where.</summary>
public sealed class KeyFailure
{
    public long Id { get; set; }
    public Guid KeyId { get; set; }
    public DateTime At { get; set; }
    public FailureReason Reason { get; set; }
    public string? Ip { get; set; }
}
