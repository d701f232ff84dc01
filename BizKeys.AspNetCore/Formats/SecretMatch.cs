namespace BizKeys.Core.ApiKeys;

public enum SecretMatch
{
    None,
    Current,
    /// <summary>The secret from before the last rotation, still inside its grace period.</summary>
    Previous,
}

/// <summary>The one rule for which secret a presented one is: used by the verifier and by the key itself.</summary>
public static class SecretMatching
{
    /// <summary>Both digests are always compared, in constant time, so timing tells nothing about which matched.</summary>
    public static SecretMatch Match(ReadOnlySpan<byte> presented, ReadOnlySpan<byte> current, byte[]? previous, DateTime? previousUntil, DateTime now)
    {
        var isCurrent = KeyFormat.DigestMatches(presented, current);
        var isPrevious = previous is not null && previousUntil > now && KeyFormat.DigestMatches(presented, previous);
        return isCurrent ? SecretMatch.Current : isPrevious ? SecretMatch.Previous : SecretMatch.None;
    }
}
