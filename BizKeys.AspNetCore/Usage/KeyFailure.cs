using BizKeys.Core.Verification;

namespace BizKeys.Core.Usage;

/// <summary>A recent failed attempt, kept so owners can see what went wrong and from where.</summary>
public sealed class KeyFailure
{
    /// <summary>The longest failure reason name, stored as text.</summary>
    public const int ReasonMaxLength = 32;

    public long Id { get; set; }
    public Guid KeyId { get; set; }
    public DateTime At { get; set; }
    public FailureReason Reason { get; set; }
    public string? Ip { get; set; }
}
