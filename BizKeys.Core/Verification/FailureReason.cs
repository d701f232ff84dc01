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
