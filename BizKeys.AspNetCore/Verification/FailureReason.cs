namespace BizKeys.Core.Verification;

/// <summary>Why a presented key did not pass. The caller only ever learns "invalid"; the owner sees this reason.</summary>
public enum FailureReason
{
    /// <summary>Not shaped like a key and secret, or the secret's checksum is wrong.</summary>
    Malformed,
    UnknownKey,
    WrongSecret,
    Expired,
    Revoked,
    IpNotAllowed,
    RateLimited,
    MissingPermission,
}

public static class FailureReasons
{
    /// <summary>Every reason that can be counted against a key (an unknown key has nothing to count against).</summary>
    public static IReadOnlyList<FailureReason> Counted { get; } = [.. Enum.GetValues<FailureReason>().Where(r => r != FailureReason.UnknownKey)];
}
