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

    /// <summary>Every reason that can be counted against a key (an unknown key has nothing to count against).</summary>
    public static IReadOnlyList<FailureReason> CountedReasons => FailureReasons.Counted;

    /// <summary>The one place a reason meets its column: a new reason is a case here plus a migration.</summary>
    public long this[FailureReason reason]
    {
        get => reason switch
        {
            FailureReason.Malformed => Malformed,
            FailureReason.WrongSecret => WrongSecret,
            FailureReason.Expired => Expired,
            FailureReason.Revoked => Revoked,
            FailureReason.IpNotAllowed => IpNotAllowed,
            FailureReason.RateLimited => RateLimited,
            FailureReason.MissingPermission => MissingPermission,
            _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not counted per key."),
        };
        set
        {
            switch (reason)
            {
                case FailureReason.Malformed: Malformed = value; break;
                case FailureReason.WrongSecret: WrongSecret = value; break;
                case FailureReason.Expired: Expired = value; break;
                case FailureReason.Revoked: Revoked = value; break;
                case FailureReason.IpNotAllowed: IpNotAllowed = value; break;
                case FailureReason.RateLimited: RateLimited = value; break;
                case FailureReason.MissingPermission: MissingPermission = value; break;
                default: throw new ArgumentOutOfRangeException(nameof(reason), reason, "Not counted per key.");
            }
        }
    }

    public long Failed => CountedReasons.Sum(r => this[r]);

    public void Add(long success, ReadOnlySpan<long> failures)
    {
        Success += success;
        foreach (var reason in CountedReasons)
            this[reason] += failures[(int)reason];
    }
}
