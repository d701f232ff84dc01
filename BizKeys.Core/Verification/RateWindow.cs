namespace BizKeys.Core.Verification;

/// <summary>
/// One key's shared request budget for one minute, on PostgreSQL: how many requests the instances together have
/// taken (<see cref="Used"/>), and what it was before the last grant (<see cref="Previous"/>), so a grant can say how
/// much it got in the same statement that takes it.
/// </summary>
public sealed class RateWindow
{
    public Guid KeyId { get; set; }
    public DateTime WindowStart { get; set; }
    public int Used { get; set; }
    public int Previous { get; set; }
}
